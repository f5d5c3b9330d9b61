"""Démonstration du cœur : deux conseils fictifs, leur territoire, leurs partenaires."""

import base64

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clspd import services
from clspd.models import (
    Commune,
    Conseil,
    Institution,
    MembreFormationRestreinte,
    Programme,
    Territoire,
    Utilisateur,
)

Categorie = Institution.Categorie

INSTITUTIONS = [
    ("Mairie de Val-Fleuri", Categorie.COMMUNE),
    ("Préfecture — délégué du préfet", Categorie.PREFECTURE),
    ("Collège Jean-Moulin", Categorie.EDUCATION),
    ("Commissariat de Val-Fleuri", Categorie.POLICE_NATIONALE),
    ("Brigade de gendarmerie de Saint-Aubin", Categorie.GENDARMERIE),
    ("Police municipale de Val-Fleuri", Categorie.POLICE_MUNICIPALE),
    ("Parquet du tribunal judiciaire", Categorie.PARQUET),
    ("SPIP du Val", Categorie.SPIP),
    ("PJJ — unité éducative de milieu ouvert", Categorie.PJJ),
    ("Délégation départementale aux droits des femmes", Categorie.DROITS_FEMMES),
    ("Département — maison des solidarités", Categorie.DEPARTEMENT_SOCIAL),
    ("Club de prévention du Val", Categorie.PREVENTION_SPECIALISEE),
    ("Centre social des Tilleuls", Categorie.CENTRE_SOCIAL),
    ("Mission politique de la ville", Categorie.POLITIQUE_VILLE),
    ("Association d'aide aux victimes du Val", Categorie.AIDE_VICTIMES),
    ("Val Habitat", Categorie.BAILLEUR),
    ("Réseau Val Bus", Categorie.TRANSPORT),
]

# (adresse, prénom, nom, fonction, institution, rôle affiché)
PERSONNES = [
    (
        "coordination@demo.clspd.fr",
        "Claire",
        "Moreau",
        "Coordonnatrice du CISPD",
        "Mairie de Val-Fleuri",
        "coordonnatrice du CISPD du Val-Fleuri",
    ),
    (
        "pilote.jeunes@demo.clspd.fr",
        "Karim",
        "Benali",
        "Chef de service prévention",
        "Club de prévention du Val",
        "pilote du groupe jeunes et de la CCOP",
    ),
    (
        "membre.jeunes@demo.clspd.fr",
        "Sophie",
        "Lambert",
        "Principale adjointe",
        "Collège Jean-Moulin",
        "membre du groupe jeunes",
    ),
    (
        "pilote.vif@demo.clspd.fr",
        "Nadia",
        "Roussel",
        "Directrice",
        "Association d'aide aux victimes du Val",
        "pilote du groupe violences intrafamiliales",
    ),
    (
        "membre.tranquillite@demo.clspd.fr",
        "Julien",
        "Marchand",
        "Chef de la police municipale",
        "Police municipale de Val-Fleuri",
        "membre du groupe tranquillité publique",
    ),
    (
        "formation.restreinte@demo.clspd.fr",
        "Bernard",
        "Lefèvre",
        "Délégué du préfet",
        "Préfecture — délégué du préfet",
        "membre de la formation restreinte",
    ),
    (
        "pilote.tranquillite@demo.clspd.fr",
        "Élodie",
        "Garnier",
        "Cheffe de projet",
        "Mission politique de la ville",
        "pilote du groupe tranquillité publique",
    ),
    (
        "commissariat@demo.clspd.fr",
        "Thomas",
        "Girard",
        "Commandant",
        "Commissariat de Val-Fleuri",
        "membre des groupes jeunes, tranquillité et CCOP",
    ),
    (
        "pjj@demo.clspd.fr",
        "Amélie",
        "Perrin",
        "Éducatrice",
        "PJJ — unité éducative de milieu ouvert",
        "membre du groupe jeunes et de la CCOP",
    ),
    (
        "parquet@demo.clspd.fr",
        "Hugo",
        "Fabre",
        "Substitut du procureur",
        "Parquet du tribunal judiciaire",
        "membre de la formation restreinte et du groupe VIF",
    ),
]


# Le secret TOTP de tous les comptes de démonstration, publié dans le README : n'importe
# quelle application d'authentification le saisit et donne les codes.
SECRET_TOTP_DEMO = "JBSWY3DPEHPK3PXP"


def compte(email, mot_de_passe, **champs):
    utilisateur, _ = Utilisateur.objects.get_or_create(email=email, defaults=champs)
    for nom, valeur in champs.items():
        setattr(utilisateur, nom, valeur)
    utilisateur.is_active = True
    utilisateur.set_password(mot_de_passe)
    utilisateur.save()
    TOTPDevice.objects.update_or_create(
        user=utilisateur,
        name="Démonstration",
        defaults={"key": base64.b32decode(SECRET_TOTP_DEMO).hex(), "confirmed": True},
    )
    return utilisateur


def _conseil(nom, type, communes):
    conseil = Conseil.objects.filter(nom=nom).first()
    if conseil is None:
        conseil = services.conseil_creer(nom=nom, type=type, communes=communes)
    return conseil


def charger(contexte, mot_de_passe):
    val_fleuri, _ = Commune.objects.get_or_create(
        code_insee="45901", defaults={"nom": "Val-Fleuri"}
    )
    saint_aubin, _ = Commune.objects.get_or_create(
        code_insee="45902", defaults={"nom": "Saint-Aubin-du-Val"}
    )
    montrevel, _ = Commune.objects.get_or_create(code_insee="2A901", defaults={"nom": "Montrevel"})

    conseil = _conseil("CISPD du Val-Fleuri", Conseil.Type.CISPD, [val_fleuri, saint_aubin])
    institutions = {}
    for nom, categorie in INSTITUTIONS:
        institutions[nom], _ = Institution.objects.get_or_create(
            conseil=conseil, nom=nom, defaults={"categorie": categorie}
        )
    territoires = {}
    for nom, type, commune in [
        ("Centre-ville", Territoire.Type.QUARTIER, val_fleuri),
        ("Les Tilleuls", Territoire.Type.QPV, val_fleuri),
        ("ZSP Les Tilleuls – La Gare", Territoire.Type.ZSP, val_fleuri),
        ("Bourg de Saint-Aubin", Territoire.Type.QUARTIER, saint_aubin),
    ]:
        territoires[nom], _ = Territoire.objects.get_or_create(
            conseil=conseil, nom=nom, defaults={"type": type, "commune": commune}
        )

    personnes = {}
    comptes = []
    for email, prenom, nom, fonction, institution, role in PERSONNES:
        personnes[email] = compte(
            email,
            mot_de_passe,
            first_name=prenom,
            last_name=nom,
            fonction=fonction,
            institution=institutions[institution],
        )
        comptes.append((email, role))
    services.coordonnateur_ajouter(
        conseil=conseil, utilisateur=personnes["coordination@demo.clspd.fr"]
    )

    programmes = {p.axe: p for p in Programme.objects.filter(strategie__annee_debut=2013)}
    for email, institution, qualite, programme in [
        (
            "formation.restreinte@demo.clspd.fr",
            "Préfecture — délégué du préfet",
            "Représentant du préfet",
            None,
        ),
        (
            "parquet@demo.clspd.fr",
            "Parquet du tribunal judiciaire",
            "Substitut du procureur",
            programmes[Programme.Axe.VICTIMES],
        ),
    ]:
        utilisateur = personnes[email]
        if not MembreFormationRestreinte.objects.filter(
            conseil=conseil, utilisateur=utilisateur, date_fin__isnull=True
        ).exists():
            services.formation_restreinte_ajouter(
                conseil=conseil,
                utilisateur=utilisateur,
                institution=institutions[institution],
                qualite=qualite,
                programme=programme,
                date_debut=timezone.localdate().replace(month=1, day=1),
            )

    # Le second conseil montre le cloisonnement entre conseils.
    autre = _conseil("CLSPD de Montrevel", Conseil.Type.CLSPD, [montrevel])
    mairie_autre, _ = Institution.objects.get_or_create(
        conseil=autre, nom="Mairie de Montrevel", defaults={"categorie": Categorie.COMMUNE}
    )
    pm_autre, _ = Institution.objects.get_or_create(
        conseil=autre,
        nom="Police municipale de Montrevel",
        defaults={"categorie": Categorie.POLICE_MUNICIPALE},
    )
    coordination_autre = compte(
        "coordination@autre.clspd.fr",
        mot_de_passe,
        first_name="Paul",
        last_name="Santoni",
        fonction="Coordonnateur du CLSPD",
        institution=mairie_autre,
    )
    services.coordonnateur_ajouter(conseil=autre, utilisateur=coordination_autre)
    comptes.append(("coordination@autre.clspd.fr", "coordonnateur du CLSPD de Montrevel"))
    agent_autre = compte(
        "agent@autre.clspd.fr",
        mot_de_passe,
        first_name="Lucie",
        last_name="Ferrandi",
        fonction="Agente de police municipale",
        institution=pm_autre,
    )

    admin = compte(
        "admin@demo.clspd.fr",
        mot_de_passe,
        first_name="Admin",
        last_name="Technique",
        is_staff=True,
        is_superuser=True,
    )
    comptes.append((admin.email, "superutilisateur (administration technique)"))

    contexte.update(
        conseil=conseil,
        autre_conseil=autre,
        institutions=institutions,
        territoires=territoires,
        programmes=programmes,
        personnes=personnes,
        coordonnateur=personnes["coordination@demo.clspd.fr"],
        coordonnateur_autre=coordination_autre,
        agent_autre=agent_autre,
        pm_autre=pm_autre,
        comptes=comptes,
    )
