from django import forms
from django.utils import timezone

from clspd.forms import AvecBouton, ChampDate, PersonneForm
from clspd.models import Programme, Utilisateur
from groupes.models import Appartenance, GroupeOperationnel


class GroupeForm(AvecBouton, forms.ModelForm):
    class Meta:
        model = GroupeOperationnel
        fields = ["nom", "nature", "programme", "territoire", "description", "actif"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "programme": "Obligatoire pour un groupe thématique ou territorial.",
            "territoire": (
                "Obligatoire pour un groupe territorial ; une CCOP est rattachée à une ZSP."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(actif=True).select_related(
            "strategie"
        )
        self.fields["territoire"].queryset = self.instance.conseil.territoires.all()


class MembreAjouterForm(PersonneForm):
    libelle_bouton = "Ajouter au groupe"

    role = forms.ChoiceField(
        label="Rôle",
        choices=[(Appartenance.Role.MEMBRE, "Membre"), (Appartenance.Role.INVITE, "Invité")],
        initial=Appartenance.Role.MEMBRE,
    )
    date_debut = ChampDate(label="Date de début", initial=timezone.localdate)


class PiloteDesignerForm(AvecBouton, forms.Form):
    libelle_bouton = "Désigner le pilote"

    pilote = forms.ModelChoiceField(
        label="Pilote",
        queryset=Utilisateur.objects.none(),
        help_text="Le pilote est choisi parmi les membres actuels du groupe.",
    )
    date_designation = ChampDate(label="Date de désignation", initial=timezone.localdate)
    accord_maire_le = ChampDate(label="Accord du maire le")
    accord_prefet_le = ChampDate(label="Accord du préfet le")

    def __init__(self, *args, groupe, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilote"].queryset = Utilisateur.objects.filter(
            appartenances__groupe=groupe, appartenances__date_fin__isnull=True
        )


class GroupeFiltreForm(AvecBouton, forms.Form):
    libelle_bouton = "Filtrer"
    methode = "get"

    nature = forms.ChoiceField(
        label="Nature",
        choices=[("", "Toutes"), *GroupeOperationnel.Nature.choices],
        required=False,
    )
    programme = forms.ModelChoiceField(
        label="Programme", queryset=Programme.objects.all(), required=False, empty_label="Tous"
    )
    territoire = forms.ModelChoiceField(
        label="Territoire", queryset=None, required=False, empty_label="Tous"
    )
    actif = forms.ChoiceField(
        label="État",
        choices=[("", "Tous"), ("oui", "Actifs"), ("non", "Inactifs")],
        required=False,
    )

    def __init__(self, *args, conseil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].queryset = conseil.territoires.all()
        self.helper.form_class = "row row-cols-md-auto g-3 align-items-end"

    def filtres(self):
        """Les filtres valides, en arguments de sélecteur (les valeurs invalides sont ignorées)."""
        if not self.is_bound:
            return {}
        self.is_valid()  # un champ invalide est absent de cleaned_data : les autres filtrent
        donnees = self.cleaned_data
        filtres = {
            cle: donnees[cle] for cle in ("nature", "programme", "territoire") if donnees.get(cle)
        }
        if donnees.get("actif"):
            filtres["actif"] = donnees["actif"] == "oui"
        return filtres
