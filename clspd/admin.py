"""Administration technique, réservée aux superutilisateurs.

On y tient les données de référence (stratégies, programmes, communes) et la
structure des conseils. Le contenu des groupes n'y figure pas : il se gère dans
l'application, où les permissions s'appliquent.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

from clspd import services
from clspd.models import (
    Commune,
    Conseil,
    Institution,
    MembreFormationRestreinte,
    Programme,
    Strategie,
    Territoire,
    Utilisateur,
)


def _superutilisateur(request):
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superutilisateur
admin.site.site_header = "Administration technique CLSPD"
admin.site.site_title = "Administration CLSPD"


class ProgrammeInline(admin.TabularInline):
    model = Programme
    extra = 1


@admin.register(Strategie)
class StrategieAdmin(admin.ModelAdmin):
    list_display = ["nom", "annee_debut", "annee_fin"]
    inlines = [ProgrammeInline]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["nom", "strategie", "axe", "ordre", "actif"]
    list_filter = ["strategie", "axe", "actif"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["nom", "code_insee"]
    search_fields = ["nom", "code_insee"]


class ConseilAdminForm(forms.ModelForm):
    class Meta:
        model = Conseil
        fields = ["nom", "type", "communes", "coordonnateurs"]

    def clean(self):
        donnees = super().clean()
        if "type" in donnees and "communes" in donnees:
            try:
                Conseil.valider_communes(donnees["type"], list(donnees["communes"]))
            except ValidationError as erreur:
                self.add_error(None, erreur)
        return donnees


@admin.register(Conseil)
class ConseilAdmin(admin.ModelAdmin):
    form = ConseilAdminForm
    list_display = ["nom", "type"]
    search_fields = ["nom"]
    filter_horizontal = ["communes", "coordonnateurs"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Les coordonnateurs ont pu changer : leurs permissions suivent.
        services.conseil_synchroniser_permissions(form.instance)


@admin.register(Territoire)
class TerritoireAdmin(admin.ModelAdmin):
    list_display = ["nom", "type", "conseil", "commune"]
    list_filter = ["type", "conseil"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["nom", "categorie", "conseil"]
    list_filter = ["categorie", "conseil"]
    search_fields = ["nom"]


@admin.register(MembreFormationRestreinte)
class MembreFormationRestreinteAdmin(admin.ModelAdmin):
    list_display = ["utilisateur", "conseil", "programme", "date_debut", "date_fin"]
    list_filter = ["conseil"]
    readonly_fields = [f.name for f in MembreFormationRestreinte._meta.fields]

    def has_add_permission(self, request):
        return False  # la composition se tient dans l'application (services et permissions)


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "institution", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "fonction", "institution"]}),
        ("Statut", {"fields": ["is_active", "is_staff", "is_superuser", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login"]
    filter_horizontal = []
    list_filter = ["is_active", "is_superuser"]
    actions = ["desactiver"]

    @admin.action(description="Désactiver les comptes sélectionnés (sans rien effacer)")
    def desactiver(self, request, comptes):
        for compte in comptes:
            services.compte_desactiver(compte)
        self.message_user(request, f"{len(comptes)} compte(s) désactivé(s).")

    def has_delete_permission(self, request, obj=None):
        # Un compte se désactive : effacé, il emporterait l'auteur de ce qu'il a écrit.
        return False
