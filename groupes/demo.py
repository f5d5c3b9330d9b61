"""Démonstration des groupes : un groupe par programme, une CCOP, et un groupe du
second conseil."""

import datetime

from django.utils import timezone

from groupes import services
from groupes.models import Appartenance, GroupeOperationnel

Nature = GroupeOperationnel.Nature


def _groupe(conseil, nom, **champs):
    return GroupeOperationnel.objects.filter(conseil=conseil, nom=nom).first() or (
        services.groupe_creer(conseil=conseil, nom=nom, **champs)
    )


def _membres(groupe, coordonnateur, personnes, role=Appartenance.Role.MEMBRE):
    debut = timezone.localdate() - datetime.timedelta(days=180)
    for utilisateur in personnes:
        if not groupe.appartenances.actives().filter(utilisateur=utilisateur).exists():
            services.membre_ajouter(
                groupe=groupe,
                auteur=coordonnateur,
                email=utilisateur.email,
                first_name=utilisateur.first_name,
                last_name=utilisateur.last_name,
                fonction=utilisateur.fonction,
                institution=utilisateur.institution,
                role=role,
                date_debut=debut,
                base_url="http://127.0.0.1:8000",
            )


def _pilote(groupe, coordonnateur, pilote):
    if not groupe.designations.filter(date_fin__isnull=True, pilote=pilote).exists():
        designation = timezone.localdate() - datetime.timedelta(days=150)
        services.pilote_designer(
            groupe=groupe,
            auteur=coordonnateur,
            pilote=pilote,
            date_designation=designation,
            accord_maire_le=designation - datetime.timedelta(days=20),
            accord_prefet_le=designation - datetime.timedelta(days=12),
        )


def charger(contexte, mot_de_passe):
    conseil = contexte["conseil"]
    coordonnateur = contexte["coordonnateur"]
    p = contexte["personnes"]
    programmes = contexte["programmes"]
    territoires = contexte["territoires"]

    definitions = [
        (
            "Groupe jeunes exposés à la délinquance",
            {"nature": Nature.THEMATIQUE, "programme": programmes["jeunes"]},
            "pilote.jeunes@demo.clspd.fr",
            ["membre.jeunes@demo.clspd.fr", "commissariat@demo.clspd.fr", "pjj@demo.clspd.fr"],
        ),
        (
            "Groupe violences intrafamiliales et aide aux victimes",
            {"nature": Nature.THEMATIQUE, "programme": programmes["victimes"]},
            "pilote.vif@demo.clspd.fr",
            ["parquet@demo.clspd.fr"],
        ),
        (
            "Groupe tranquillité publique du centre-ville",
            {
                "nature": Nature.TERRITORIAL,
                "programme": programmes["tranquillite"],
                "territoire": territoires["Centre-ville"],
            },
            "pilote.tranquillite@demo.clspd.fr",
            ["membre.tranquillite@demo.clspd.fr", "commissariat@demo.clspd.fr"],
        ),
        (
            "CCOP des Tilleuls",
            {
                "nature": Nature.CCOP,
                "programme": programmes["jeunes"],
                "territoire": territoires["ZSP Les Tilleuls – La Gare"],
            },
            "pilote.jeunes@demo.clspd.fr",
            ["commissariat@demo.clspd.fr", "pjj@demo.clspd.fr"],
        ),
    ]
    groupes = {}
    for nom, champs, pilote, membres in definitions:
        groupe = _groupe(conseil, nom, **champs)
        _membres(groupe, coordonnateur, [p[pilote]] + [p[email] for email in membres])
        _pilote(groupe, coordonnateur, p[pilote])
        groupes[nom] = groupe

    autre = _groupe(
        contexte["autre_conseil"],
        "Groupe tranquillité publique de Montrevel",
        nature=Nature.THEMATIQUE,
        programme=programmes["tranquillite"],
    )
    _membres(autre, contexte["coordonnateur_autre"], [contexte["agent_autre"]])
    contexte["groupes"] = groupes
