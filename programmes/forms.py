"""Formulaires des programmes d'actions."""

from crispy_forms.layout import Fieldset, Hidden, Layout
from django import forms
from django.db.models import Q
from django.utils.text import Truncator

from clspd.forms import AvecBouton, ChampDate, FiltresEnLigne
from clspd.models import Programme, Utilisateur
from clspd.revisions import ChampRevision
from groupes.forms import ChampHeure, ChoixMultiples
from groupes.models import Appartenance, Decision
from programmes.models import (
    MESURES_TECHNIQUES,
    TEXTE,
    Action,
    Financement,
    Jour,
    LieuSensible,
    Mesure,
    PlanAction,
    Proposition,
    Saison,
)

# Le conseil : filtres, propositions --------------------------------------------------------


class ActionFiltreForm(FiltresEnLigne, forms.Form):
    """Les filtres de la synthèse des actions du conseil, repris par ses exports."""

    programme = forms.ModelChoiceField(
        label="Programme", queryset=Programme.objects.all(), required=False, empty_label="Tous"
    )
    statut = forms.ChoiceField(
        label="Statut", choices=[("", "Tous"), *Action.Statut.choices], required=False
    )
    territoire = forms.ModelChoiceField(
        label="Territoire", queryset=None, required=False, empty_label="Tous"
    )
    annee = forms.IntegerField(
        label="Année du plan", required=False, min_value=2000, max_value=2100
    )
    en_retard = forms.TypedChoiceField(
        label="Échéance",
        choices=[("", "Toutes"), ("1", "En retard")],
        coerce=bool,
        empty_value=False,
        required=False,
    )

    def __init__(self, *args, conseil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].queryset = conseil.territoires.all()

    def filtres(self):
        """Les filtres valides (un filtre invalide est ignoré, les autres s'appliquent)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            cle: valeur
            for cle in ("programme", "statut", "territoire", "annee", "en_retard")
            if (valeur := self.cleaned_data.get(cle))
        }


class PropositionForm(AvecBouton, forms.Form):
    libelle_bouton = "Proposer à la formation restreinte"

    expose = forms.CharField(
        label="Exposé",
        required=False,
        max_length=TEXTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Pourquoi cette action, et le financement souhaité.",
    )


class StatuerForm(AvecBouton, forms.Form):
    libelle_bouton = "Enregistrer la décision"

    decision = forms.ChoiceField(
        label="Décision de la formation restreinte",
        choices=[c for c in Proposition.Decision.choices if c[0] != "en_attente"],
        widget=forms.RadioSelect,
    )
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=TEXTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si la proposition est refusée ou à revoir.",
    )
    financement_accorde = forms.DecimalField(
        label="Financement accordé (€)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )


# Plans d'action d'un groupe -----------------------------------------------------------------

ETAT_DES_LIEUX = ("dispositifs_existants", "acteurs", "constats", "articulation")


class PlanForm(AvecBouton, forms.ModelForm):
    """Le plan d'action ; l'état des lieux seulement pour un groupe du programme d'aide aux
    victimes."""

    libelle_bouton = "Enregistrer le plan"

    revision = ChampRevision()

    date_debut = ChampDate(label="Début de la période")
    date_fin = ChampDate(label="Fin de la période")
    adopte_le = ChampDate(
        label="Adopté par la formation restreinte le",
        required=False,
        help_text="Obligatoire pour un plan adopté ou clos.",
    )

    class Meta:
        model = PlanAction
        fields = ["titre", "date_debut", "date_fin", "statut", "adopte_le", *ETAT_DES_LIEUX]
        widgets = {nom: forms.Textarea(attrs={"rows": 4}) for nom in ETAT_DES_LIEUX}
        help_texts = {"statut": "Un plan clos ne peut plus être modifié."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].initial = self.instance.revision
        if self.instance.a_un_etat_des_lieux:
            self.helper.layout = Layout(
                "revision",
                "titre",
                "date_debut",
                "date_fin",
                "statut",
                "adopte_le",
                Fieldset("État des lieux", *ETAT_DES_LIEUX),
            )
        else:
            for nom in ETAT_DES_LIEUX:
                del self.fields[nom]

    def champs(self):
        return {nom: self.cleaned_data[nom] for nom in self.fields if nom != "revision"}


# Schéma local de tranquillité publique ------------------------------------------------------


class LieuSensibleForm(AvecBouton, forms.ModelForm):
    libelle_bouton = "Enregistrer le lieu"

    class Meta:
        model = LieuSensible
        fields = ["nom", "territoire", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"nom": "Par exemple : abords de la gare, parc des Tilleuls."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].queryset = self.instance.plan.groupe.conseil.territoires.all()

    def champs(self):
        return {nom: self.cleaned_data[nom] for nom in self.Meta.fields}


class PeriodeSensibleForm(AvecBouton, forms.Form):
    libelle_bouton = "Ajouter la période"

    jours = forms.MultipleChoiceField(
        label="Jours",
        choices=Jour.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucun jour coché : tous les jours.",
    )
    heure_debut = ChampHeure(label="Heure de début")
    heure_fin = ChampHeure(
        label="Heure de fin",
        help_text="La plage peut passer minuit : de 22h00 à 2h00, par exemple.",
    )
    saisons = forms.MultipleChoiceField(
        label="Saisons",
        choices=Saison.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune saison cochée : toute l'année.",
    )


class MesureForm(AvecBouton, forms.ModelForm):
    libelle_bouton = "Ajouter la mesure"

    class Meta:
        model = Mesure
        fields = ["categorie", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"description": "Ce qui est prévu : où, quand, par qui."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        techniques = [c for c in Mesure.Categorie.choices if c[0] in MESURES_TECHNIQUES]
        humaines = [c for c in Mesure.Categorie.choices if c[0] not in MESURES_TECHNIQUES]
        self.fields["categorie"].choices = [
            ("", "---------"),
            ("Moyens techniques", techniques),
            ("Présence humaine", humaines),
        ]

    def champs(self):
        return {nom: self.cleaned_data[nom] for nom in self.Meta.fields}


# Actions, décisions liées, financements -----------------------------------------------------


class ActionForm(AvecBouton, forms.ModelForm):
    """Une action du plan ; les listes se limitent au conseil et aux membres du groupe."""

    libelle_bouton = "Enregistrer l'action"

    date_debut = ChampDate(label="Début")
    date_fin = ChampDate(label="Fin", required=False)

    class Meta:
        model = Action
        fields = [
            "titre",
            "description",
            "objectifs",
            "programme",
            "public_cible",
            "territoire",
            "porteur",
            "partenaires",
            "referent",
            "date_debut",
            "date_fin",
            "statut",
        ]
        field_classes = {"partenaires": ChoixMultiples}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "objectifs": forms.Textarea(attrs={"rows": 4}),
            "partenaires": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "porteur": "Obligatoire avant de valider l'action.",
            "partenaires": "Les institutions de l'annuaire du conseil qui y participent.",
            "referent": "Un membre actuel du groupe.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groupe = self.instance.plan.groupe
        institutions = groupe.conseil.institutions.order_by("nom")
        self.fields["programme"].queryset = Programme.objects.filter(
            Q(actif=True) | Q(pk=self.instance.programme_id)
        ).select_related("strategie")
        self.fields["territoire"].queryset = groupe.conseil.territoires.all()
        self.fields["porteur"].queryset = institutions
        self.fields["partenaires"].queryset = institutions
        # Un référent qui a quitté le groupe reste proposé, pour ne pas bloquer la saisie.
        self.fields["referent"].queryset = Utilisateur.objects.filter(
            Q(pk__in=Appartenance.objects.actives().filter(groupe=groupe).values("utilisateur"))
            | Q(pk=self.instance.referent_id)
        ).order_by("last_name", "first_name")

    def champs(self):
        return {nom: self.cleaned_data[nom] for nom in self.Meta.fields}


class ChoixDecision(forms.ModelChoiceField):
    def label_from_instance(self, decision):
        libelle = Truncator(decision.libelle).chars(120)
        return f"Réunion du {decision.reunion.date:%d/%m/%Y} : {libelle}"


class DecisionLierForm(AvecBouton, forms.Form):
    """Lier à l'action une décision actée du groupe (``operation=lier``)."""

    libelle_bouton = "Lier la décision"

    decision = ChoixDecision(
        label="Décision à lier",
        queryset=Decision.objects.none(),
        help_text="Les décisions des comptes rendus validés du groupe, pas encore liées.",
        error_messages={
            "invalid_choice": (
                "Choisissez une décision actée de ce groupe, pas encore liée à l'action."
            )
        },
    )

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions
        self.helper.layout = Layout("decision", Hidden("operation", "lier"))


class DecisionDelierForm(forms.Form):
    """Délier une décision de l'action (``operation=delier``) : un bouton par décision."""

    decision = forms.ModelChoiceField(
        label="Décision à délier",
        queryset=Decision.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Cette décision n'est pas liée à l'action."},
    )

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions


class FinancementForm(AvecBouton, forms.ModelForm):
    libelle_bouton = "Enregistrer la ligne de financement"

    date_decision = ChampDate(label="Date de la décision", required=False)

    class Meta:
        model = Financement
        fields = [
            "source",
            "montant_demande",
            "montant_accorde",
            "date_decision",
            "depassement_confirme",
        ]
        # Saisie à la française : 1500,50.
        localized_fields = ["montant_demande", "montant_accorde"]
        widgets = {
            "montant_demande": forms.TextInput(attrs={"inputmode": "decimal"}),
            "montant_accorde": forms.TextInput(attrs={"inputmode": "decimal"}),
        }
        labels = {
            "depassement_confirme": (
                "Je confirme que le montant accordé dépasse le montant demandé"
            ),
        }
        help_texts = {
            "montant_demande": "En euros, par exemple 1500 ou 1500,50.",
            "montant_accorde": "En euros. Laissez vide tant que le financeur n'a pas décidé.",
            "depassement_confirme": (
                "À cocher seulement si le montant accordé est supérieur au montant demandé."
            ),
        }

    def champs(self):
        return {nom: self.cleaned_data[nom] for nom in self.Meta.fields}
