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
from tests.conftest import requetes_capturees

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


# Les budgets de requêtes des pages principales, à deux tailles du jeu ----------------------

MAX_REQUETES = 15


def requetes_des_pages(facteur):
    """{(rôle, page): nombre de requêtes} sur un jeu ``seed_scale`` de ce facteur, annulé
    ensuite (chaque page vue par la personne de son rôle, comme au banc)."""
    from clspd.management.commands.bench import pages_principales

    with transaction.atomic():
        call_command("seed_scale", factor=facteur, stdout=io.StringIO())
        personnes, pages, _ = pages_principales()
        comptes = {cle: len(r) for cle, r in requetes_capturees(personnes, pages).items()}
        transaction.set_rollback(True)
    return comptes


def test_les_requetes_des_pages_ne_dependent_pas_de_la_taille():
    petit = requetes_des_pages(0.002)  # 2 conseils, 40 groupes
    grand = requetes_des_pages(0.006)  # 6 conseils, 120 groupes

    assert petit == grand
    trop = {page: n for page, n in grand.items() if n > MAX_REQUETES}
    assert not trop, f"Au-delà de {MAX_REQUETES} requêtes : {trop}"
