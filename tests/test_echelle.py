"""Le générateur à l'échelle : les proportions demandées, reproductible par sa graine,
cohérent avec les permissions (chacun ne lit que ses groupes)."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from clspd import permissions
from clspd.models import Utilisateur
from clspd.permissions import Action as Acces
from evaluation.models import Valeur
from groupes.models import Appartenance, Decision, GroupeOperationnel, Reunion
from programmes.models import Action

pytestmark = pytest.mark.django_db

FACTEUR = 0.002  # 2 conseils, 40 groupes, 100 comptes


def generer(seed=2026):
    call_command("seed_scale", factor=FACTEUR, seed=seed, stdout=io.StringIO())


def empreinte():
    """Ce qui a été tiré, sans les identifiants (les séquences ne reculent pas)."""
    lignes = Appartenance.objects.order_by(
        "groupe__conseil__nom", "groupe__nom", "utilisateur__email"
    ).values_list("groupe__conseil__nom", "groupe__nom", "utilisateur__email", "role")
    return hashlib.sha256(repr(list(lignes)).encode()).hexdigest()


def test_les_proportions():
    generer()

    assert GroupeOperationnel.objects.count() == 40
    assert Utilisateur.objects.count() == 100
    assert Reunion.objects.count() == 40 * 20
    assert Decision.objects.count() > Reunion.objects.count()
    assert Action.objects.count() == 40 * 10
    assert Valeur.objects.count() == 40 * 10 * 10


def test_la_meme_graine_donne_le_meme_jeu():
    with transaction.atomic():
        generer(seed=7)
        premiere = empreinte()
        transaction.set_rollback(True)
    with transaction.atomic():
        generer(seed=7)
        seconde = empreinte()
        transaction.set_rollback(True)
    generer(seed=8)

    assert premiere == seconde != empreinte()


def test_un_second_jeu_est_refuse():
    generer()

    with pytest.raises(CommandError, match="existe déjà"):
        generer()


def test_chacun_ne_lit_que_ses_groupes():
    generer()
    membre = Appartenance.objects.filter(role="membre").order_by("pk").first().utilisateur
    coordonnateur = Utilisateur.objects.filter(conseils_coordonnes__isnull=False).first()

    lus = permissions.filtrer(membre, GroupeOperationnel.objects.all(), Acces.LIRE)
    pilotes = permissions.filtrer(membre, GroupeOperationnel.objects.all(), Acces.PILOTER)
    coordonnes = permissions.filtrer(coordonnateur, GroupeOperationnel.objects.all(), Acces.LIRE)

    assert set(lus) == {a.groupe for a in membre.appartenances.all()}
    assert set(pilotes) == {a.groupe for a in membre.appartenances.filter(role="pilote")}
    assert set(coordonnes) == set(
        GroupeOperationnel.objects.filter(conseil__coordonnateurs=coordonnateur)
    )
    assert len(coordonnes) == 20
