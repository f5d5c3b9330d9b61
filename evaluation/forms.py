"""Formulaires de l'évaluation : indicateurs locaux, paramétrage d'une action, ouverture
d'une période, saisie des valeurs, renvoi pour correction.

Les valeurs d'une saisie arrivent brutes au service, qui les vérifie selon le type de
l'indicateur et rattache ses erreurs au champ ``indicateur_<pk>`` (``services.champ_de``) :
le formulaire ne fait que les recueillir. Seules les cases de la répartition des
bénéficiaires sont lues ici comme des entiers, pour montrer l'erreur dans la case fautive.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clspd.forms import AvecBouton
from clspd.revisions import ChampRevision
from evaluation.models import (
    HORS_TERRITOIRE,
    PERIODES_PAR_AN,
    SEXES,
    TEXTE,
    TRANCHES_AGE,
    FamilleIndicateur,
    Indicateur,
    Rythme,
    TypeValeur,
)
from evaluation.services import champ_de

ANNEE_MIN = 2000

RAPPEL_TEXTES = (
    "Des faits et des chiffres d'ensemble seulement : ne nommez aucune personne et "
    "n'écrivez rien qui permette de la reconnaître."
)

_AIDE_PAR_TYPE = {
    TypeValeur.ENTIER: "Nombre entier, positif ou nul.",
    TypeValeur.DECIMAL: "Nombre positif ou nul ; la virgule est acceptée (ex. : 2,5).",
    TypeValeur.POURCENTAGE: "Pourcentage, de 0 à 100 ; la virgule est acceptée.",
    TypeValeur.DUREE: "En jours, plus de zéro ; la virgule est acceptée.",
    TypeValeur.ECHELLE: "De 1 (le plus faible) à 5 (le plus fort).",
    TypeValeur.TEXTE: f"Obligatoire pour soumettre la période. {RAPPEL_TEXTES}",
}


def par_famille(elements, indicateur_de=lambda element: element):
    """[(libellé de la famille, éléments)], dans l'ordre de la fiche méthodologique
    (réalisation, impact, qualitatif) et non dans l'ordre alphabétique des codes."""
    familles = {famille: [] for famille in FamilleIndicateur.values}
    for element in elements:
        familles[indicateur_de(element).famille].append(element)
    return [(FamilleIndicateur(f).label, liste) for f, liste in familles.items() if liste]


def _aide(indicateur):
    return " ".join(filter(None, [indicateur.definition, _AIDE_PAR_TYPE.get(indicateur.type)]))


def _libelle(indicateur):
    return f"{indicateur.nom} ({indicateur.unite})" if indicateur.unite else indicateur.nom


def nombre_affiche(nombre, type_):
    """Un nombre enregistré tel qu'on le saisit : 12, 2,5 (virgule française)."""
    if nombre is None:
        return ""
    if type_ in (TypeValeur.ENTIER, TypeValeur.ECHELLE):
        return str(int(nombre))
    return format(nombre.normalize(), "f").replace(".", ",")


def libelle_numero(numero, rythme):
    """« 1er semestre », « 3e trimestre »…"""
    unite = {Rythme.SEMESTRE: "semestre", Rythme.TRIMESTRE: "trimestre"}[rythme]
    return f"{numero}{'er' if numero == 1 else 'e'} {unite}"


# Indicateurs locaux -------------------------------------------------------------------------


class IndicateurForm(AvecBouton, forms.ModelForm):
    """Un indicateur local : tous les types, sauf la répartition (réservée au profil des
    bénéficiaires du catalogue)."""

    libelle_bouton = "Enregistrer l'indicateur"

    class Meta:
        model = Indicateur
        fields = ["nom", "famille", "type", "unite", "definition"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "unite": "Par exemple : personnes, jours, séances. Vide pour un texte.",
            "definition": "Ce que l'on compte ou décrit, pour que chacun saisisse la même chose.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [
            (valeur, libelle)
            for valeur, libelle in self.fields["type"].choices
            if valeur != TypeValeur.REPARTITION
        ]

    def champs(self):
        return {nom: self.cleaned_data[nom] for nom in self.Meta.fields}


# Paramétrage d'une action -------------------------------------------------------------------


class ParametrageForm(AvecBouton, forms.Form):
    """Le rythme de saisie, et pour chaque indicateur du conseil : suivi ou non, et sa cible
    annuelle s'il est chiffré. La cible d'un indicateur porte le nom de son champ
    (``indicateur_<pk>``) : les erreurs du service s'y affichent."""

    libelle_bouton = "Enregistrer le paramétrage"

    rythme = forms.ChoiceField(
        label="Rythme de saisie", choices=Rythme.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, indicateurs, suivis, rythme_fige=False, **kwargs):
        """``suivis`` : {indicateur_id: cible} des indicateurs déjà suivis."""
        super().__init__(*args, **kwargs)
        self.indicateurs = list(indicateurs)
        if rythme_fige:
            rythme = self.fields["rythme"]
            rythme.disabled = True
            rythme.help_text = "Des périodes sont déjà saisies : le rythme ne peut plus changer."
        sections = [
            Fieldset(famille, *(self._ajouter(i, suivis) for i in indicateurs))
            for famille, indicateurs in par_famille(self.indicateurs)
        ]
        self.helper.layout = Layout("rythme", *sections)

    def _ajouter(self, indicateur, suivis):
        """Ajoute la case « suivre » de l'indicateur et, s'il est chiffré, sa cible."""
        suivi = f"suivi_{indicateur.pk}"
        self.fields[suivi] = forms.BooleanField(
            label=f"Suivre : {indicateur.nom}",
            required=False,
            initial=indicateur.pk in suivis,
            help_text=" — ".join(
                filter(None, [indicateur.get_type_display(), indicateur.definition])
            ),
        )
        rangee = [Field(suivi)]
        if indicateur.est_numerique:
            cible = champ_de(indicateur)
            self.fields[cible] = forms.DecimalField(
                label=f"Cible annuelle : {_libelle(indicateur)}",
                required=False,
                max_digits=14,
                decimal_places=2,
                localize=True,
                initial=nombre_affiche(suivis.get(indicateur.pk), indicateur.type) or None,
                help_text="Facultative.",
            )
            rangee.append(Div(Field(cible), css_class="ms-4"))
        return Div(*rangee, css_class="border-bottom pt-2")

    def clean(self):
        donnees = super().clean()
        for indicateur in self.indicateurs:
            cible = champ_de(indicateur)
            if donnees.get(cible) is not None and not donnees.get(f"suivi_{indicateur.pk}"):
                self.add_error(cible, "Cochez l'indicateur pour lui donner une cible.")
        return donnees

    def cibles(self):
        """{indicateur: cible ou None} des indicateurs cochés."""
        return {
            indicateur: self.cleaned_data.get(champ_de(indicateur))
            for indicateur in self.indicateurs
            if self.cleaned_data.get(f"suivi_{indicateur.pk}")
        }


# Ouverture d'une période --------------------------------------------------------------------


class PeriodeForm(AvecBouton, forms.Form):
    """L'année et, selon le rythme, le semestre ou le trimestre à saisir."""

    libelle_bouton = "Saisir cette période"

    numero = forms.TypedChoiceField(label="Période", coerce=int)

    def __init__(self, *args, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        annee = timezone.localdate().year
        # Pas de période à venir : le service la refuserait aussi.
        self.fields["annee"] = forms.IntegerField(
            label="Année", min_value=ANNEE_MIN, max_value=annee, initial=annee
        )
        self.order_fields(["annee", "numero"])
        if evaluation.rythme == Rythme.ANNEE:
            del self.fields["numero"]
        else:
            self.fields["numero"].choices = [
                (n, libelle_numero(n, evaluation.rythme))
                for n in range(1, PERIODES_PAR_AN[evaluation.rythme] + 1)
            ]
        self.helper.form_action = reverse("evaluation:saisie_ouvrir", args=[evaluation.pk])
        self.helper.form_class = "row row-cols-md-auto g-3 align-items-end"

    def periode(self):
        return {"annee": self.cleaned_data["annee"], "numero": self.cleaned_data.get("numero", 1)}


# Saisie des valeurs -------------------------------------------------------------------------


class ChampRepartition(forms.Field):
    """Le profil des bénéficiaires : ses cases sont d'autres champs ; celui-ci porte les
    erreurs du tableau entier (ses totaux) et, une fois nettoyé, la répartition."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


class TableauRepartition:
    """Objet de mise en forme crispy : le profil des bénéficiaires en trois petits tableaux
    (âge, sexe, territoire) de cases entières, chacune avec son étiquette."""

    template = "evaluation/_saisie_repartition.html"

    def __init__(self, champ, indicateur, dimensions):
        self.champ, self.indicateur, self.dimensions = champ, indicateur, dimensions

    def render(self, form, context, template_pack=None, **kwargs):
        tableaux = [
            {
                "legende": legende,
                "cases": [
                    {"libelle": libelle, "champ": form[nom], "id_erreur": f"erreur_{nom}"}
                    for nom, libelle in cases
                ],
            }
            for legende, cases in self.dimensions
        ]
        return render_to_string(
            self.template,
            {
                "champ": form[self.champ],
                "id_erreur": f"erreur_{self.champ}",
                "indicateur": self.indicateur,
                "tableaux": tableaux,
            },
        )


class BoutonSecondaire(Submit):
    field_classes = "btn btn-outline-primary me-2"


class SaisieForm(forms.Form):
    """Une saisie : un champ par indicateur suivi, nommé ``indicateur_<pk>``. Deux boutons :
    enregistrer le brouillon, ou soumettre au pilote."""

    SOUMETTRE = "soumettre"

    revision = ChampRevision()

    def __init__(self, *args, suivis, valeurs, territoires, proposees=None, **kwargs):
        """``suivis`` : les indicateurs suivis ; ``valeurs`` : {indicateur_id: Valeur} ;
        ``proposees`` : {indicateur_id: nombre}, la valeur initiale d'un champ encore vide."""
        super().__init__(*args, **kwargs)
        self.proposees = proposees or {}
        self.indicateurs = [suivi.indicateur for suivi in suivis]
        self.cases = {}
        sections = []
        for famille, indicateurs in par_famille(self.indicateurs):
            objets = [self._ajouter(i, valeurs.get(i.pk), territoires) for i in indicateurs]
            if famille == FamilleIndicateur.QUALITATIF.label:
                objets.insert(0, HTML(f'<p class="alert alert-info">{RAPPEL_TEXTES}</p>'))
            sections.append(Fieldset(famille, *objets))
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout("revision", *sections)
        self.helper.add_input(BoutonSecondaire("brouillon", "Enregistrer le brouillon"))
        self.helper.add_input(Submit(self.SOUMETTRE, "Soumettre au pilote"))

    def _ajouter(self, indicateur, valeur, territoires):
        """Ajoute le champ de l'indicateur ; renvoie ce que la mise en forme en affiche."""
        nom = champ_de(indicateur)
        communs = {"label": _libelle(indicateur), "required": False, "help_text": _aide(indicateur)}
        type_ = indicateur.type
        if type_ == TypeValeur.TEXTE:
            self.fields[nom] = forms.CharField(
                max_length=TEXTE,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=valeur.texte if valeur else "",
                **communs,
            )
            return Field(nom)
        if type_ == TypeValeur.REPARTITION:
            return self._ajouter_repartition(indicateur, nom, valeur, territoires, communs)
        if valeur:
            initial = nombre_affiche(valeur.nombre, type_)
        else:
            initial = self.proposees.get(indicateur.pk, "")
        if type_ == TypeValeur.ECHELLE:
            widget = forms.RadioSelect(
                choices=[("", "Non renseigné"), *((str(n), str(n)) for n in range(1, 6))]
            )
        elif type_ == TypeValeur.ENTIER:
            widget = forms.NumberInput(attrs={"min": 0, "step": 1})
        else:
            # Un champ texte : la virgule française y passe, le service la lit.
            widget = forms.TextInput(attrs={"inputmode": "decimal"})
        self.fields[nom] = forms.CharField(widget=widget, initial=initial, **communs)
        return Field(nom)

    def _ajouter_repartition(self, indicateur, nom, valeur, territoires, communs):
        enregistree = (valeur.repartition if valeur else None) or {}
        dimensions = [
            ("age", "Par tranche d'âge", TRANCHES_AGE),
            ("sexe", "Par sexe", SEXES),
            (
                "territoire",
                "Par territoire",
                [(str(t.pk), t.nom) for t in territoires] + [HORS_TERRITOIRE],
            ),
        ]
        self.fields[nom] = ChampRepartition(label=communs["label"], help_text=communs["help_text"])
        self.cases[nom] = {}
        tableaux = []
        for dimension, legende, categories in dimensions:
            cases = []
            for cle, libelle in categories:
                case = f"{nom}_{dimension}_{cle}"
                self.fields[case] = forms.IntegerField(
                    label=f"{legende} — {libelle}",
                    required=False,
                    min_value=0,
                    initial=(enregistree.get(dimension) or {}).get(cle),
                    widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
                )
                self.cases[nom][case] = (dimension, cle)
                cases.append((case, libelle))
            tableaux.append((legende, cases))
        return TableauRepartition(nom, indicateur, tableaux)

    def clean(self):
        donnees = super().clean()
        for nom, cases in self.cases.items():
            repartition = {}
            for case, (dimension, cle) in cases.items():
                nombre = donnees.get(case)
                if nombre is not None:
                    repartition.setdefault(dimension, {})[cle] = nombre
            # Un tableau laissé vide n'est pas saisi.
            donnees[nom] = repartition or None
        return donnees

    @property
    def soumettre(self):
        return self.SOUMETTRE in self.data

    def valeurs(self):
        """{indicateur: valeur brute}, ce qu'attend ``services.saisie_enregistrer``."""
        return {i: self.cleaned_data.get(champ_de(i)) for i in self.indicateurs}


class RenvoiForm(AvecBouton, forms.Form):
    libelle_bouton = "Renvoyer pour correction"

    commentaire_renvoi = forms.CharField(
        label="Ce qu'il faut corriger",
        max_length=TEXTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="La personne qui a saisi la période lira ce commentaire. "
        "Ne nommez aucun bénéficiaire.",
    )


# Rapports ---------------------------------------------------------------------------------

PREMIERE_ANNEE_EVALUEE = 2000


class RapportPreparerForm(AvecBouton, forms.Form):
    """L'année et le périmètre d'un rapport ; ``programmes`` : ceux des groupes du conseil."""

    libelle_bouton = "Préparer le rapport"

    programme = forms.ModelChoiceField(
        label="Périmètre",
        queryset=None,
        required=False,
        empty_label="Tout le conseil",
        help_text="Tout le conseil, ou un seul des programmes de ses groupes.",
        error_messages={"invalid_choice": "Choisissez un programme des groupes du conseil."},
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        # L'année en cours se lit à chaque affichage, jamais au chargement du module.
        annee_courante = timezone.localdate().year
        self.fields = {
            "annee": forms.IntegerField(
                label="Année évaluée",
                min_value=PREMIERE_ANNEE_EVALUEE,
                max_value=annee_courante,
                initial=annee_courante - 1,
                error_messages={
                    "required": "Indiquez l'année évaluée.",
                    "invalid": "Saisissez une année, par exemple 2025.",
                    "min_value": f"L'évaluation commence en {PREMIERE_ANNEE_EVALUEE}.",
                    "max_value": "On n'évalue pas une année à venir.",
                },
            ),
            **self.fields,
        }
        self.fields["programme"].queryset = programmes


class _VersAdresse(AvecBouton):
    """Un formulaire de la page du rapport, envoyé à sa propre vue (``action``)."""

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_action = action


class CommentaireRapportForm(_VersAdresse, forms.Form):
    """Le commentaire d'une partie du rapport (``partie``, un champ caché). Plusieurs de ces
    formulaires partagent la page : la vue donne à chacun ses identifiants (``auto_id``)."""

    libelle_bouton = "Commenter"

    partie = forms.CharField(widget=forms.HiddenInput, max_length=50)
    texte = forms.CharField(
        label="Commentaire de la formation restreinte",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={
            "required": "Le commentaire est vide.",
            "max_length": "Un commentaire tient en 5 000 caractères au plus.",
        },
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = parties
        # Le bouton aussi a son identifiant propre à la partie.
        if isinstance(self.auto_id, str) and "%s" in self.auto_id:
            self.helper.inputs[0].id = self.auto_id % "envoyer"

    def clean(self):
        if self.cleaned_data.get("partie") not in self.parties:
            raise forms.ValidationError("Cette partie n'existe pas dans le rapport.")
        return self.cleaned_data

    def add_error(self, field, error):
        # La partie est un champ caché : son erreur s'affiche en tête du formulaire.
        super().add_error(None if field == "partie" else field, error)


class ConclusionsForm(_VersAdresse, forms.Form):
    libelle_bouton = "Enregistrer les conclusions"

    conclusions = forms.CharField(
        label="Conclusions de la formation restreinte",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        required=False,
        error_messages={"max_length": "Les conclusions tiennent en 5 000 caractères au plus."},
    )
    examine = forms.BooleanField(
        label="Marquer le rapport comme examiné",
        required=False,
        help_text=(
            "L'examen est alors clos : le rapport, ses commentaires et ses conclusions ne "
            "changent plus."
        ),
    )
