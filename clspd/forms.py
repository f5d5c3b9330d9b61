"""Formulaires du cœur, et ce que partagent tous les formulaires de l'application."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from clspd.models import Institution, Programme, Territoire


class ChampDate(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AvecBouton:
    """Mise en forme crispy commune : un bouton d'envoi, des erreurs en français."""

    libelle_bouton = "Enregistrer"
    methode = "post"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = self.methode
        self.helper.add_input(Submit("envoyer", self.libelle_bouton))


def _attributs(attrs):
    """Les attributs HTML comme les écrit le gabarit ``attrs.html`` de Django, dans l'ordre."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", nom) if valeur is True else format_html(' {}="{}"', nom, valeur),)
            for nom, valeur in attrs.items()
            if valeur is not False
        ),
    )


class ListeDeroulante(forms.Select):
    """Une liste déroulante au HTML exact du gabarit de Django, écrite en Python : le gabarit
    rend trois sous-gabarits par option, plus d'une milliseconde par liste de filtres."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        morceaux = []
        for groupe, options, _ in widget["optgroups"]:
            lignes = format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>\n',
                (
                    (option["value"], _attributs(option["attrs"]), option["label"])
                    for option in options
                ),
            )
            morceaux.append(
                format_html('\n  <optgroup label="{}">{}\n  </optgroup>', groupe, lignes)
                if groupe
                else lignes
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            _attributs(widget["attrs"]),
            mark_safe("".join(morceaux)),
        )


class ChoixEnUneRequete(ModelChoiceIterator):
    """Les choix d'une liste lus par une requête ordinaire : ``iterator()``, que Django emploie,
    ouvre sur PostgreSQL un curseur côté serveur, trois allers-retours pour une liste courte."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for objet in self.queryset:
            yield self.choice(objet)


class FiltresEnLigne:
    """Un formulaire de filtres ou de recherche (GET), en ligne, rendu par
    ``partials/_filtres.html`` plutôt que par crispy : sur les pages de synthèse, crispy
    coûtait le quart du rendu. Django pose lui-même ``aria-invalid`` et relie l'erreur
    (``aria-describedby``), que le gabarit affiche sous le champ. Les listes sont des
    ``ListeDeroulante``, lues en une requête."""

    libelle_bouton = "Filtrer"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in self.fields.values():
            if isinstance(champ, forms.ModelChoiceField):
                champ.iterator = ChoixEnUneRequete
            if isinstance(champ.widget, forms.Select):
                champ.widget = ListeDeroulante(
                    attrs={**champ.widget.attrs, "class": "form-select"}, choices=champ.choices
                )
            else:
                champ.widget.attrs["class"] = "form-control"


def ajouter_erreurs(form, erreur: ValidationError):
    """Place les erreurs d'un service à côté des champs du formulaire concernés."""
    if not hasattr(erreur, "error_dict"):
        form.add_error(None, erreur)
        return
    for champ, erreurs in erreur.error_dict.items():
        form.add_error(champ if champ in form.fields else None, erreurs)


class ConnexionForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class InstitutionForm(AvecBouton, forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["nom", "categorie", "adresse", "courriel", "telephone"]
        widgets = {"adresse": forms.Textarea(attrs={"rows": 3})}


class TerritoireForm(AvecBouton, forms.ModelForm):
    class Meta:
        model = Territoire
        fields = ["nom", "type", "commune"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = self.instance.conseil.communes.all()


class PersonneForm(AvecBouton, forms.Form):
    """Une personne désignée par son adresse ; un compte lui est créé si besoin."""

    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Si la personne n'a pas encore de compte, elle reçoit une invitation.",
    )
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    fonction = forms.CharField(label="Fonction", max_length=200, required=False)
    institution = forms.ModelChoiceField(label="Institution", queryset=Institution.objects.none())

    def __init__(self, *args, conseil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = conseil.institutions.all()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class MembreFormationRestreinteForm(PersonneForm):
    qualite = forms.CharField(label="Qualité", max_length=200, required=False)
    programme = forms.ModelChoiceField(
        label="Programme",
        queryset=Programme.objects.filter(actif=True).select_related("strategie"),
        required=False,
        empty_label="Membre permanent (tous les programmes)",
        help_text="Pour un membre qui ne siège que pour un programme.",
    )
    date_debut = ChampDate(label="Date de début")


class FinForm(AvecBouton, forms.Form):
    libelle_bouton = "Confirmer le retrait"

    date_fin = ChampDate(label="Date de fin")


class ConfirmationForm(AvecBouton, forms.Form):
    """Une action sans saisie, confirmée par un bouton (convocation, annulation, validation)."""

    def __init__(self, *args, libelle_bouton, **kwargs):
        self.libelle_bouton = libelle_bouton
        super().__init__(*args, **kwargs)


class ReauthentificationForm(AvecBouton, forms.Form):
    """Avant une action sensible : le mot de passe, vérifié par le même chemin que la
    connexion (les échecs comptent pour le blocage)."""

    libelle_bouton = "Confirmer"

    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        mot_de_passe = self.cleaned_data["password"]
        utilisateur = authenticate(
            self.request, username=self.request.user.email, password=mot_de_passe
        )
        if utilisateur is None or utilisateur.pk != self.request.user.pk:
            raise forms.ValidationError("Mot de passe incorrect.")
        return mot_de_passe


class CodeForm(AvecBouton, forms.Form):
    libelle_bouton = "Valider le code"

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Les 6 chiffres affichés par votre application, ou l'un de vos codes de secours.",
    )
