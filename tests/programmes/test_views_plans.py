"""Les vues des plans d'action, par le client de test : le plan et son état des lieux, le
schéma local de tranquillité publique, les actions, leurs décisions de réunion et leurs
financements, la proposition à la formation restreinte, le PDF du plan.

Une saisie refusée affiche l'erreur française à côté de son champ et n'écrit rien ; un plan
clos refuse toute écriture avec le message du service. Les 404 de chaque persona sont dans
``tests/test_permissions.py`` ; ici, seulement ce que chacun voit des pages qu'il lit.
"""

import datetime
import html
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from clspd.models import Programme
from groupes import services as groupe_services
from groupes.models import GroupeOperationnel
from programmes import services
from programmes.models import (
    Action,
    Financement,
    LieuSensible,
    Mesure,
    PeriodeSensible,
    PlanAction,
    Proposition,
)
from tests.conftest import ajouter_membre
from tests.factories import (
    GroupeFactory,
    InstitutionFactory,
    PointFactory,
    ReunionFactory,
    TerritoireFactory,
    UtilisateurFactory,
    programme,
)

pytestmark = pytest.mark.django_db

CLOS = "Ce plan d'action est clos : il ne peut plus être modifié."
CHOIX_INVALIDE = "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
NEGATIF = "Un montant ne peut pas être négatif."
DEBUT, FIN = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


def url(nom, *args):
    return reverse(f"programmes:{nom}", args=args)


def trop_long(longueur):
    return (
        f"Assurez-vous que cette valeur comporte au plus {longueur} caractères "
        f"(actuellement {longueur + 1})."
    )


def pas_dans_les_choix(valeur):
    return f"Sélectionnez un choix valide. {valeur} n’en fait pas partie."


def euros(montant):
    """Un montant comme la page l'affiche : 12 345,50 € (milliers séparés par une espace
    insécable)."""
    entier, centimes = f"{Decimal(montant):.2f}".split(".")
    groupes = f"{int(entier):,}".replace(",", "\xa0")
    return f"{groupes},{centimes} €"


def contenu(reponse):
    return reponse.content.decode()


def erreur_du_champ(reponse, champ):
    """Le texte de l'erreur affichée sous le champ, qui doit être marqué invalide."""
    page = contenu(reponse)
    assert re.search(rf'<(input|select|textarea)[^>]*is-invalid[^>]*id="id_{champ}(_0)?"', page), (
        f"le champ {champ} n'est pas marqué invalide"
    )
    trouve = re.search(rf'id="error_1_id_{champ}"[^>]*><strong>(.*?)</strong>', page)
    assert trouve, f"aucune erreur sous le champ {champ}"
    return html.unescape(trouve.group(1))


def ligne(reponse, texte):
    """La première ligne de tableau qui contient le texte."""
    for rangee in re.findall(r"<tr>.*?</tr>", contenu(reponse), re.S):
        if texte in rangee:
            return re.sub(r"[ \t\r\n]+", " ", rangee)
    raise AssertionError(f"aucune ligne ne contient {texte}")


def etat_de_la_base():
    """Toutes les valeurs des modèles des plans : une saisie refusée n'en change aucune."""
    modeles = (
        PlanAction,
        LieuSensible,
        PeriodeSensible,
        Mesure,
        Action,
        Action.partenaires.through,
        Action.decisions.through,
        Financement,
        Proposition,
    )
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in modeles}


def changer_de_programme(groupe, axe):
    GroupeOperationnel.objects.filter(pk=groupe.pk).update(programme=programme(axe))
    groupe.refresh_from_db()


def nommer(utilisateur, prenom, nom):
    utilisateur.first_name, utilisateur.last_name = prenom, nom
    utilisateur.save(update_fields=["first_name", "last_name"])
    return utilisateur


def donnees_plan(**champs):
    return {
        "titre": "Plan d'action 2026",
        "date_debut": "2026-01-01",
        "date_fin": "2026-12-31",
        "statut": "en_projet",
        "adopte_le": "",
        **champs,
    }


def donnees_action(**champs):
    return {
        "titre": "Chantiers éducatifs",
        "description": "",
        "objectifs": "",
        "programme": programme().pk,
        "public_cible": "",
        "territoire": "",
        "porteur": "",
        "referent": "",
        "date_debut": "2026-02-01",
        "date_fin": "",
        "statut": "proposee",
        **champs,
    }


def donnees_financement(**champs):
    return {
        "source": "fipd",
        "montant_demande": "1500",
        "montant_accorde": "",
        "date_decision": "",
        **champs,
    }


@pytest.fixture
def plan(groupe):
    return services.plan_creer(
        groupe=groupe, titre="Plan d'action 2026", date_debut=DEBUT, date_fin=FIN
    )


@pytest.fixture
def action(plan):
    return services.action_creer(
        plan=plan,
        titre="Chantiers éducatifs",
        programme=programme(),
        date_debut=datetime.date(2026, 2, 1),
    )


@pytest.fixture
def mairie(conseil):
    return InstitutionFactory(conseil=conseil, nom="Mairie de Testville")


@pytest.fixture
def bailleur(conseil):
    return InstitutionFactory(conseil=conseil, nom="Bailleur Habitat")


@pytest.fixture
def quartier(conseil):
    return TerritoireFactory(conseil=conseil, nom="Quartier de la Gare")


def decisions_actees(groupe, auteur, porteur, *libelles, decalage=3):
    """Les décisions d'une réunion passée dont le compte rendu est validé."""
    reunion = ReunionFactory(
        groupe=groupe,
        cree_par=auteur,
        date=timezone.localdate() - datetime.timedelta(days=decalage),
    )
    PointFactory(reunion=reunion, ordre=1, titre="Tour de table")
    groupe_services.compte_rendu_enregistrer(reunion, auteur=auteur, synthese="", notes={})
    decisions = [
        groupe_services.decision_ajouter(reunion, auteur=auteur, libelle=libelle, porteur=porteur)
        for libelle in libelles
    ]
    groupe_services.compte_rendu_valider(reunion, auteur=auteur)
    return decisions


# Plans --------------------------------------------------------------------------------------


def test_le_pilote_cree_un_plan(client, pilote, groupe):
    client.force_login(pilote)

    page = client.get(url("plan_creer", groupe.pk))
    reponse = client.post(
        url("plan_creer", groupe.pk), donnees_plan(statut="adopte", adopte_le="2026-01-15")
    )

    assert page.status_code == 200
    # Un groupe du programme « jeunes » n'a pas d'état des lieux.
    assert "id_constats" not in contenu(page)
    plan = PlanAction.objects.get()
    assert reponse.status_code == 302
    assert reponse.url == plan.get_absolute_url()
    assert (plan.groupe, plan.titre, plan.statut, plan.adopte_le) == (
        groupe,
        "Plan d'action 2026",
        PlanAction.Statut.ADOPTE,
        datetime.date(2026, 1, 15),
    )
    detail = contenu(client.get(plan.get_absolute_url()))
    assert "du 01/01/2026 au 31/12/2026" in detail
    assert "Adopté par la formation restreinte le 15/01/2026" in detail
    assert "État des lieux" not in detail
    assert "Schéma local de tranquillité publique" not in detail
    liste = client.get(url("plans", groupe.pk))
    assert "Plan d&#x27;action 2026" in ligne(liste, plan.get_absolute_url())


@pytest.mark.parametrize(
    "champs, champ, message",
    [
        ({"date_fin": "2025-12-31"}, "date_fin", "La fin de la période précède son début."),
        (
            {"statut": "adopte"},
            "adopte_le",
            "Indiquez la date d'adoption par la formation restreinte.",
        ),
        (
            {"statut": "clos"},
            "adopte_le",
            "Indiquez la date d'adoption par la formation restreinte.",
        ),
        ({"titre": "x" * 201}, "titre", trop_long(200)),
        ({"titre": ""}, "titre", "Ce champ est obligatoire."),
        ({"statut": "oublie"}, "statut", pas_dans_les_choix("oublie")),
        ({"date_debut": "demain"}, "date_debut", "Saisissez une date valide."),
    ],
)
def test_plan_creer_refuse(client, pilote, groupe, champs, champ, message):
    client.force_login(pilote)

    reponse = client.post(url("plan_creer", groupe.pk), donnees_plan(**champs))

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ) == message
    assert not PlanAction.objects.exists()


def test_etat_des_lieux_d_un_groupe_d_aide_aux_victimes(client, pilote, groupe, plan):
    changer_de_programme(groupe, Programme.Axe.VICTIMES)
    client.force_login(pilote)
    etat = {
        "dispositifs_existants": "Intervenante sociale en commissariat",
        "acteurs": "France Victimes, CIDFF",
        "constats": "Hausse des signalements",
        "articulation": "Réunion mensuelle commune",
    }

    page = client.get(url("plan_modifier", plan.pk))
    reponse = client.post(url("plan_modifier", plan.pk), donnees_plan(**etat))

    assert "<legend>État des lieux</legend>" in contenu(page)
    assert 'id="id_constats"' in contenu(page)
    assert reponse.status_code == 302
    plan.refresh_from_db()
    assert {cle: getattr(plan, cle) for cle in etat} == etat
    detail = contenu(client.get(plan.get_absolute_url()))
    assert "État des lieux" in detail
    for valeur in ("Intervenante sociale en commissariat", "Hausse des signalements"):
        assert valeur in detail


def test_etat_des_lieux_trop_long_refuse(client, pilote, groupe, plan):
    changer_de_programme(groupe, Programme.Axe.VICTIMES)
    client.force_login(pilote)
    avant = etat_de_la_base()

    reponse = client.post(url("plan_modifier", plan.pk), donnees_plan(constats="x" * 5001))

    assert erreur_du_champ(reponse, "constats") == trop_long(5000)
    assert etat_de_la_base() == avant


# Schéma local de tranquillité publique ------------------------------------------------------


@pytest.fixture
def schema(groupe, plan, quartier):
    """Un plan d'un groupe de tranquillité publique, avec un lieu sensible."""
    changer_de_programme(groupe, Programme.Axe.TRANQUILLITE)
    lieu = services.lieu_sensible_creer(plan=plan, nom="Parvis de la gare", territoire=quartier)
    return SimpleNamespace(plan=plan, lieu=lieu, quartier=quartier)


def test_le_pilote_ecrit_le_schema_de_tranquillite(client, pilote, groupe, plan, quartier):
    changer_de_programme(groupe, Programme.Axe.TRANQUILLITE)
    client.force_login(pilote)
    schema_url = plan.get_absolute_url() + "#titre-schema"

    reponse = client.post(
        url("lieu_creer", plan.pk),
        {"nom": "Parvis de la gare", "territoire": quartier.pk, "description": "Rodéos"},
    )
    lieu = LieuSensible.objects.get()
    reponses = [
        reponse,
        client.post(
            url("periode_ajouter", lieu.pk),
            {
                "jours": ["sam", "ven"],
                "heure_debut": "22:00",
                "heure_fin": "02:00",
                "saisons": ["ete"],
            },
        ),
        client.post(
            url("periode_ajouter", lieu.pk), {"heure_debut": "07:30", "heure_fin": "09:00"}
        ),
        client.post(
            url("mesure_ajouter", lieu.pk),
            {"categorie": "videoprotection", "description": "Deux caméras"},
        ),
        client.post(url("mesure_ajouter", lieu.pk), {"categorie": "mediation"}),
        client.post(
            url("lieu_modifier", lieu.pk),
            {"nom": "Parvis de la gare SNCF", "territoire": quartier.pk, "description": "Rodéos"},
        ),
    ]

    assert [(r.status_code, r.url) for r in reponses] == [(302, schema_url)] * len(reponses)
    nuit = PeriodeSensible.objects.get(heure_debut=datetime.time(22))
    assert (nuit.jours, nuit.saisons) == (["sam", "ven"], ["ete"])
    page = client.get(plan.get_absolute_url())
    assert "Parvis de la gare SNCF (Quartier de la Gare)" in contenu(page)
    assert ligne(page, "Vendredi, Samedi") == (
        '<tr> <th scope="row">Vendredi, Samedi</th> <td> de 22h00 à 02h00 le lendemain </td> '
        "<td>Été</td> <td> "
        f'<a href="{url("periode_supprimer", nuit.pk)}">Supprimer<span class="visually-hidden">'
        f" la période {nuit}</span></a> </td> </tr>"
    )
    matin = ligne(page, "tous les jours")
    assert "de 07h30 à 09h00" in matin and "lendemain" not in matin
    assert "toute l&#x27;année" in matin
    assert "Moyen technique" in ligne(page, "Vidéoprotection")
    assert "Deux caméras" in ligne(page, "Vidéoprotection")
    assert "Présence humaine" in ligne(page, "Médiateurs")


@pytest.mark.parametrize(
    "vue, donnees, champ, message",
    [
        ("lieu_creer", {"nom": "Parc", "territoire": "ailleurs"}, "territoire", CHOIX_INVALIDE),
        ("lieu_creer", {"nom": "x" * 201, "territoire": "ici"}, "nom", trop_long(200)),
        (
            "lieu_modifier",
            {"nom": "Parc", "territoire": "ici", "description": "x" * 5001},
            "description",
            trop_long(5000),
        ),
        (
            "periode_ajouter",
            {"jours": ["lun", "jour-ferie"], "heure_debut": "22:00", "heure_fin": "23:00"},
            "jours",
            pas_dans_les_choix("jour-ferie"),
        ),
        (
            "periode_ajouter",
            {"saisons": ["mousson"], "heure_debut": "22:00", "heure_fin": "23:00"},
            "saisons",
            pas_dans_les_choix("mousson"),
        ),
        (
            "periode_ajouter",
            {"heure_debut": "22:00", "heure_fin": "22:00"},
            "heure_fin",
            "La plage horaire est vide.",
        ),
        (
            "periode_ajouter",
            {"heure_debut": "25:00", "heure_fin": "23:00"},
            "heure_debut",
            "Saisissez une heure valide.",
        ),
        ("mesure_ajouter", {"categorie": "laser"}, "categorie", pas_dans_les_choix("laser")),
        (
            "mesure_ajouter",
            {"categorie": "eclairage", "description": "x" * 5001},
            "description",
            trop_long(5000),
        ),
    ],
)
def test_schema_refuse(client, pilote, schema, vue, donnees, champ, message):
    cible = schema.plan if vue == "lieu_creer" else schema.lieu
    territoires = {"ailleurs": TerritoireFactory().pk, "ici": schema.quartier.pk}
    if "territoire" in donnees:
        donnees = {**donnees, "territoire": territoires[donnees["territoire"]]}
    client.force_login(pilote)
    avant = etat_de_la_base()

    reponse = client.post(url(vue, cible.pk), donnees)

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ) == message
    assert etat_de_la_base() == avant


def test_supprimer_une_periode_une_mesure_puis_le_lieu(client, pilote, schema):
    lieu = schema.lieu
    periode = services.periode_ajouter(
        lieu=lieu, heure_debut=datetime.time(22), heure_fin=datetime.time(2)
    )
    mesure = services.mesure_ajouter(lieu=lieu, categorie="eclairage")
    autre_periode = services.periode_ajouter(
        lieu=lieu, heure_debut=datetime.time(12), heure_fin=datetime.time(14)
    )
    client.force_login(pilote)

    confirmations = [
        client.get(url("periode_supprimer", periode.pk)),
        client.get(url("mesure_supprimer", mesure.pk)),
        client.get(url("lieu_supprimer", lieu.pk)),
    ]
    assert [r.status_code for r in confirmations] == [200, 200, 200]
    assert "de 22h00 à 02h00" in contenu(confirmations[0])
    assert "Supprimer la mesure « Éclairage »" in contenu(confirmations[1])
    assert PeriodeSensible.objects.count() == 2 and Mesure.objects.count() == 1

    client.post(url("periode_supprimer", periode.pk))
    client.post(url("mesure_supprimer", mesure.pk))
    assert list(PeriodeSensible.objects.all()) == [autre_periode]
    assert not Mesure.objects.exists()

    reponse = client.post(url("lieu_supprimer", lieu.pk))
    assert reponse.status_code == 302
    assert not LieuSensible.objects.exists() and not PeriodeSensible.objects.exists()


# Actions et financements --------------------------------------------------------------------


def test_deux_actions_avec_partenaires_et_financements(
    client, pilote, membre, groupe, plan, institution, mairie, bailleur, quartier
):
    nommer(membre, "Camille", "Martin")
    client.force_login(pilote)

    formulaire = client.get(url("action_creer", plan.pk))
    reponses = [
        client.post(
            url("action_creer", plan.pk),
            donnees_action(
                titre="Chantiers éducatifs",
                porteur=mairie.pk,
                partenaires=[institution.pk, bailleur.pk],
                territoire=quartier.pk,
                referent=membre.pk,
                statut="validee",
                date_fin="2026-06-30",
                public_cible="Jeunes de 16 à 25 ans",
            ),
        ),
        client.post(
            url("action_creer", plan.pk),
            donnees_action(
                titre="Médiation de nuit",
                porteur=institution.pk,
                partenaires=[mairie.pk, bailleur.pk],
            ),
        ),
    ]
    chantiers = Action.objects.get(titre="Chantiers éducatifs")
    mediation = Action.objects.get(titre="Médiation de nuit")
    lignes = [
        (chantiers, donnees_financement(montant_demande="10000", montant_accorde="8000")),
        (
            chantiers,
            donnees_financement(
                source="commune", montant_demande="5000,00", montant_accorde="5000"
            ),
        ),
        (mediation, donnees_financement(montant_demande="2500,50")),
        (
            mediation,
            donnees_financement(
                source="bailleur",
                montant_demande="1000",
                montant_accorde="1200",
                date_decision="2026-03-01",
                depassement_confirme="on",
            ),
        ),
    ]
    reponses += [client.post(url("financement_ajouter", a.pk), donnees) for a, donnees in lignes]

    # Le programme proposé par défaut : celui du groupe.
    assert formulaire.context["form"]["programme"].value() == groupe.programme_id
    assert [r.status_code for r in reponses] == [302] * 6
    assert [r.url for r in reponses[:2]] == [
        chantiers.get_absolute_url(),
        mediation.get_absolute_url(),
    ]
    assert set(chantiers.partenaires.all()) == {institution, bailleur}
    assert (chantiers.porteur, chantiers.referent, chantiers.territoire) == (
        mairie,
        membre,
        quartier,
    )
    assert Financement.objects.get(source="bailleur").depassement_confirme

    page = client.get(plan.get_absolute_url())
    ligne_chantiers = ligne(page, "Chantiers éducatifs")
    for attendu in (
        "Mairie de Testville",
        "Bailleur Habitat, Commissariat de Testville",
        "Validée",
        "01/02/2026",
        "30/06/2026",
        euros("15000"),
        euros("13000"),
    ):
        assert attendu in ligne_chantiers
    assert euros("3500.50") in ligne(page, "Médiation de nuit")
    assert euros("1200") in ligne(page, "Médiation de nuit")
    total = ligne(page, "Total du plan")
    assert euros("18500.50") in total and euros("14200") in total
    assert euros("12500.50") in ligne(page, '<th scope="row">FIPD</th>')
    assert euros("8000") in ligne(page, '<th scope="row">FIPD</th>')
    assert euros("1200") in ligne(page, '<th scope="row">Bailleur</th>')

    client.force_login(membre)
    detail = client.get(mediation.get_absolute_url())
    assert "(dépassement confirmé)" in ligne(detail, '<th scope="row">Bailleur</th>')
    assert "pas encore décidé" in ligne(detail, '<th scope="row">FIPD</th>')
    assert euros("3500.50") in ligne(detail, "Total de l'action")
    assert "Mairie de Testville" in contenu(client.get(chantiers.get_absolute_url()))
    assert "Camille Martin" in contenu(client.get(chantiers.get_absolute_url()))


def test_modifier_une_action_et_un_financement(client, pilote, action, institution, mairie):
    services.action_modifier(action, partenaires=[institution, mairie])
    financement = services.financement_ajouter(
        action=action, source="fipd", montant_demande=Decimal("1000")
    )
    client.force_login(pilote)

    formulaire = client.get(url("financement_modifier", financement.pk))
    reponses = [
        client.post(
            url("action_modifier", action.pk),
            donnees_action(
                titre="Chantiers éducatifs d'été",
                porteur=mairie.pk,
                partenaires=[institution.pk],
                statut="en_cours",
            ),
        ),
        client.post(
            url("financement_modifier", financement.pk),
            donnees_financement(montant_demande="1000", montant_accorde="750,25"),
        ),
    ]

    # Le montant s'affiche à la française dans le formulaire.
    assert 'value="1000,00"' in contenu(formulaire)
    assert [r.status_code for r in reponses] == [302, 302]
    action.refresh_from_db()
    financement.refresh_from_db()
    assert (action.titre, action.statut, action.porteur) == (
        "Chantiers éducatifs d'été",
        Action.Statut.EN_COURS,
        mairie,
    )
    assert list(action.partenaires.all()) == [institution]
    assert financement.montant_accorde == Decimal("750.25")

    confirmation = client.get(url("financement_supprimer", financement.pk))
    assert "Demandé : 1\xa0000,00 €" in contenu(confirmation)
    client.post(url("financement_supprimer", financement.pk))
    assert not Financement.objects.exists()


@pytest.mark.parametrize(
    "champs, champ, message",
    [
        (
            {"date_debut": "2026-03-01", "date_fin": "2026-02-28"},
            "date_fin",
            "La fin de l'action précède son début.",
        ),
        (
            {"statut": "validee"},
            "porteur",
            "Désignez l'institution porteuse avant de valider l'action.",
        ),
        (
            {"statut": "en_cours"},
            "porteur",
            "Désignez l'institution porteuse avant de valider l'action.",
        ),
        ({"porteur": "ailleurs"}, "porteur", CHOIX_INVALIDE),
        ({"territoire": "ailleurs"}, "territoire", CHOIX_INVALIDE),
        ({"referent": "etranger"}, "referent", CHOIX_INVALIDE),
        ({"titre": "x" * 201}, "titre", trop_long(200)),
        ({"description": "x" * 5001}, "description", trop_long(5000)),
        ({"objectifs": "x" * 5001}, "objectifs", trop_long(5000)),
        ({"public_cible": "x" * 301}, "public_cible", trop_long(300)),
        ({"statut": "revee"}, "statut", pas_dans_les_choix("revee")),
        ({"date_debut": ""}, "date_debut", "Ce champ est obligatoire."),
    ],
)
@pytest.mark.parametrize("vue", ["action_creer", "action_modifier"])
def test_action_refuse(client, pilote, etranger, plan, action, vue, champs, champ, message):
    valeurs = {
        "ailleurs": (TerritoireFactory().pk if champ == "territoire" else InstitutionFactory().pk),
        "etranger": etranger.pk,
    }
    champs = {cle: valeurs.get(valeur, valeur) for cle, valeur in champs.items()}
    cible = plan if vue == "action_creer" else action
    client.force_login(pilote)
    avant = etat_de_la_base()

    reponse = client.post(url(vue, cible.pk), donnees_action(**champs))

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ) == message
    assert etat_de_la_base() == avant


def test_une_saisie_refusee_montre_l_action_telle_qu_elle_est_enregistree(client, pilote, action):
    client.force_login(pilote)

    reponse = client.post(url("action_modifier", action.pk), donnees_action(titre=""))

    assert erreur_du_champ(reponse, "titre") == "Ce champ est obligatoire."
    assert "Modifier l'action « Chantiers éducatifs »" in contenu(reponse)
    assert '<a href="/actions/' in ligne_du_fil(reponse, "Chantiers éducatifs")


def ligne_du_fil(reponse, texte):
    fil = re.search(r'<nav aria-label="Fil d\'Ariane".*?</nav>', contenu(reponse), re.S).group(0)
    for element in re.findall(r"<li.*?</li>", fil, re.S):
        if texte in element:
            return element
    raise AssertionError(f"{texte} absent du fil d'Ariane")


def test_un_partenaire_d_un_autre_conseil_est_refuse(client, pilote, plan, institution):
    ailleurs = InstitutionFactory(nom="Mairie d'Ailleurs")
    client.force_login(pilote)

    reponse = client.post(
        url("action_creer", plan.pk), donnees_action(partenaires=[institution.pk, ailleurs.pk])
    )

    assert erreur_du_champ(reponse, "partenaires") == pas_dans_les_choix(ailleurs.pk)
    assert not Action.objects.exists()


@pytest.mark.parametrize("identifiant", [str(2**63), "9" * 40, str(-(2**63) - 1)])
def test_un_partenaire_hors_des_bornes_de_la_base_est_refuse(
    client, pilote, plan, institution, identifiant
):
    """Trouvé par tests/test_fuzz.py : un identifiant au-delà de 64 bits faisait échouer la
    requête des partenaires (OverflowError, une erreur 500)."""
    client.force_login(pilote)

    reponse = client.post(
        url("action_creer", plan.pk), donnees_action(partenaires=[institution.pk, identifiant])
    )

    assert erreur_du_champ(reponse, "partenaires") == pas_dans_les_choix(identifiant)
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    "champs, champ, message",
    [
        ({"montant_demande": "-10"}, "montant_demande", NEGATIF),
        ({"montant_accorde": "-0,01"}, "montant_accorde", NEGATIF),
        (
            {"montant_demande": "1000", "montant_accorde": "1000,01"},
            "depassement_confirme",
            "Le montant accordé dépasse le montant demandé : cochez la case pour le confirmer.",
        ),
        ({"montant_demande": "mille"}, "montant_demande", "Saisissez un nombre."),
        (
            {"montant_demande": "12,345"},
            "montant_demande",
            "Assurez-vous qu’il n’y a pas plus de 2 chiffres après la virgule.",
        ),
        (
            {"montant_demande": "12345678901"},
            "montant_demande",
            "Assurez-vous qu’il n’y a pas plus de 10 chiffres avant la virgule.",
        ),
        ({"montant_demande": ""}, "montant_demande", "Ce champ est obligatoire."),
        ({"source": "loterie"}, "source", pas_dans_les_choix("loterie")),
        ({"date_decision": "bientôt"}, "date_decision", "Saisissez une date valide."),
    ],
)
@pytest.mark.parametrize("vue", ["financement_ajouter", "financement_modifier"])
def test_financement_refuse(client, pilote, action, vue, champs, champ, message):
    financement = services.financement_ajouter(
        action=action, source="commune", montant_demande=Decimal("500")
    )
    cible = action if vue == "financement_ajouter" else financement
    client.force_login(pilote)
    avant = etat_de_la_base()

    reponse = client.post(url(vue, cible.pk), donnees_financement(**champs))

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ) == message
    assert etat_de_la_base() == avant


# Décisions de réunion liées -----------------------------------------------------------------


@pytest.fixture
def decisions(groupe, pilote, membre):
    return decisions_actees(
        groupe, pilote, membre, "Lancer les chantiers éducatifs", "Associer le bailleur"
    )


def test_lier_puis_delier_une_decision(
    client, pilote, membre, formation_restreinte, action, decisions
):
    lancer, associer = decisions
    reunion_url = reverse("groupes:reunion_detail", args=[lancer.reunion_id])
    client.force_login(pilote)

    page = client.get(url("action_decisions", action.pk))
    lier = client.post(
        url("action_decisions", action.pk), {"operation": "lier", "decision": lancer.pk}
    )

    assert (
        f'<option value="{lancer.pk}">Réunion du {lancer.reunion.date:%d/%m/%Y} : Lancer'
        in contenu(page)
    )
    assert "Aucune décision n'est encore liée" in contenu(page)
    assert (lier.status_code, lier.url) == (302, url("action_decisions", action.pk))
    assert list(action.decisions.all()) == [lancer]
    apres = client.get(url("action_decisions", action.pk))
    assert "Délier" in ligne(apres, "Lancer les chantiers éducatifs")
    assert f'<option value="{lancer.pk}"' not in contenu(apres)
    assert f'<option value="{associer.pk}"' in contenu(apres)

    # Le membre suit le lien vers la réunion ; la formation restreinte, qui ne lit pas les
    # réunions du groupe, voit la décision et sa date sans lien.
    client.force_login(membre)
    vu_du_membre = ligne(client.get(action.get_absolute_url()), "Lancer les chantiers éducatifs")
    assert f'<a href="{reunion_url}">Réunion du {lancer.reunion.date:%d/%m/%Y}</a>' in vu_du_membre
    client.force_login(formation_restreinte)
    vu_de_la_fr = ligne(client.get(action.get_absolute_url()), "Lancer les chantiers éducatifs")
    assert f"Réunion du {lancer.reunion.date:%d/%m/%Y}" in vu_de_la_fr
    assert "<a " not in vu_de_la_fr

    client.force_login(pilote)
    delier = client.post(
        url("action_decisions", action.pk), {"operation": "delier", "decision": lancer.pk}
    )
    assert delier.status_code == 302
    assert not action.decisions.exists()


@pytest.mark.parametrize(
    "cas", ["autre_groupe", "compte_rendu_non_valide", "deja_liee", "inconnue"]
)
def test_lier_une_decision_refuse(
    client, pilote, coordonnateur, etranger, autre_groupe, groupe, action, decisions, cas
):
    services.action_lier_decision(action, decisions[0])
    if cas == "autre_groupe":
        (decision,) = decisions_actees(autre_groupe, coordonnateur, etranger, "Ailleurs")
        valeur = decision.pk
    elif cas == "compte_rendu_non_valide":
        reunion = ReunionFactory(groupe=groupe, cree_par=pilote, date=timezone.localdate())
        groupe_services.compte_rendu_enregistrer(reunion, auteur=pilote, synthese="", notes={})
        valeur = groupe_services.decision_ajouter(
            reunion, auteur=pilote, libelle="Brouillon", porteur=pilote
        ).pk
    elif cas == "deja_liee":
        valeur = decisions[0].pk
    else:
        valeur = "pas-un-nombre"
    client.force_login(pilote)
    avant = etat_de_la_base()

    reponse = client.post(
        url("action_decisions", action.pk), {"operation": "lier", "decision": valeur}
    )

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "decision") == (
        "Choisissez une décision actée de ce groupe, pas encore liée à l'action."
    )
    assert etat_de_la_base() == avant


def test_delier_une_decision_non_liee_est_refuse(client, pilote, action, decisions):
    client.force_login(pilote)
    avant = etat_de_la_base()

    reponse = client.post(
        url("action_decisions", action.pk), {"operation": "delier", "decision": decisions[1].pk}
    )

    assert reponse.status_code == 200
    assert escape("Cette décision n'est pas liée à l'action.") in contenu(reponse)
    assert etat_de_la_base() == avant


# Proposition à la formation restreinte ------------------------------------------------------


def test_proposer_une_action(client, pilote, action):
    client.force_login(pilote)
    assert "Proposer à la formation restreinte" in contenu(client.get(action.get_absolute_url()))

    reponse = client.post(url("action_proposer", action.pk), {"expose": "5 000 € du FIPD"})

    assert (reponse.status_code, reponse.url) == (302, action.get_absolute_url())
    proposition = Proposition.objects.get()
    assert (proposition.action, proposition.proposee_par, proposition.expose) == (
        action,
        pilote,
        "5 000 € du FIPD",
    )
    assert proposition.est_en_attente
    detail = client.get(action.get_absolute_url())
    assert "En attente" in ligne(detail, "5 000 € du FIPD")
    # En attente : plus de bouton pour la proposer de nouveau.
    assert url("action_proposer", action.pk) not in contenu(detail)


@pytest.mark.parametrize(
    "cas, message",
    [
        ("deja_proposee", "Cette action attend déjà la décision de la formation restreinte."),
        ("validee", "Seule une action au statut « proposée » se soumet."),
        ("trop_long", trop_long(5000)),
    ],
)
def test_proposer_refuse(client, pilote, action, institution, cas, message):
    if cas == "deja_proposee":
        services.action_proposer(action, auteur=pilote)
    elif cas == "validee":
        services.action_modifier(action, statut="validee", porteur=institution)
    client.force_login(pilote)
    avant = etat_de_la_base()

    reponse = client.post(
        url("action_proposer", action.pk), {"expose": "x" * 5001 if cas == "trop_long" else ""}
    )

    assert reponse.status_code == 200
    if cas == "trop_long":
        assert erreur_du_champ(reponse, "expose") == message
    else:
        assert escape(message) in contenu(reponse)
    assert etat_de_la_base() == avant


# Plan clos ---------------------------------------------------------------------------------


@pytest.fixture
def plan_clos(groupe, pilote, membre, plan, quartier, institution):
    """Un plan de tranquillité publique complet, puis clos."""
    changer_de_programme(groupe, Programme.Axe.TRANQUILLITE)
    lieu = services.lieu_sensible_creer(plan=plan, nom="Parvis", territoire=quartier)
    action = services.action_creer(
        plan=plan, titre="Médiation", programme=programme(), date_debut=DEBUT
    )
    liee, a_lier = decisions_actees(groupe, pilote, membre, "Décision liée", "Décision à lier")
    services.action_lier_decision(action, liee)
    objets = SimpleNamespace(
        plan=plan,
        lieu=lieu,
        periode=services.periode_ajouter(
            lieu=lieu, heure_debut=datetime.time(22), heure_fin=datetime.time(2)
        ),
        mesure=services.mesure_ajouter(lieu=lieu, categorie="eclairage"),
        action=action,
        financement=services.financement_ajouter(
            action=action, source="fipd", montant_demande=Decimal("100")
        ),
        liee=liee,
        a_lier=a_lier,
        quartier=quartier,
        institution=institution,
    )
    services.plan_modifier(plan, statut="clos", adopte_le=DEBUT)
    return objets


ECRITURES_DU_PLAN_CLOS = {
    "plan_modifier": (
        "plan",
        lambda m: donnees_plan(titre="Rouvert", statut="clos", adopte_le="2026-01-01"),
    ),
    "lieu_creer": ("plan", lambda m: {"nom": "Nouveau lieu", "territoire": m.quartier.pk}),
    "lieu_modifier": ("lieu", lambda m: {"nom": "Renommé", "territoire": m.quartier.pk}),
    "lieu_supprimer": ("lieu", lambda m: {}),
    "periode_ajouter": ("lieu", lambda m: {"heure_debut": "08:00", "heure_fin": "09:00"}),
    "periode_supprimer": ("periode", lambda m: {}),
    "mesure_ajouter": ("lieu", lambda m: {"categorie": "mediation"}),
    "mesure_supprimer": ("mesure", lambda m: {}),
    "action_creer": ("plan", lambda m: donnees_action(titre="Nouvelle action")),
    "action_modifier": ("action", lambda m: donnees_action(titre="Renommée")),
    "action_decisions-lier": ("action", lambda m: {"operation": "lier", "decision": m.a_lier.pk}),
    "action_decisions-delier": ("action", lambda m: {"operation": "delier", "decision": m.liee.pk}),
    "financement_ajouter": ("action", lambda m: donnees_financement()),
    "financement_modifier": ("financement", lambda m: donnees_financement(montant_demande="1")),
    "financement_supprimer": ("financement", lambda m: {}),
    "action_proposer": ("action", lambda m: {"expose": "Encore"}),
}


@pytest.mark.parametrize("ecriture", ECRITURES_DU_PLAN_CLOS)
def test_un_plan_clos_refuse_toute_ecriture(client, pilote, plan_clos, ecriture):
    cible, donnees = ECRITURES_DU_PLAN_CLOS[ecriture]
    adresse = url(ecriture.split("-")[0], getattr(plan_clos, cible).pk)
    client.force_login(pilote)
    avant = etat_de_la_base()

    page = client.get(adresse)
    reponse = client.post(adresse, donnees(plan_clos))

    assert page.status_code == 200
    assert "ce plan d'action est clos : il ne peut plus être modifié." in contenu(page)
    assert reponse.status_code == 200
    assert escape(CLOS) in contenu(reponse)
    assert etat_de_la_base() == avant


def test_un_plan_clos_n_offre_aucun_bouton_d_ecriture(client, pilote, plan_clos):
    client.force_login(pilote)

    plan = contenu(client.get(plan_clos.plan.get_absolute_url()))
    action = contenu(client.get(plan_clos.action.get_absolute_url()))

    assert "il se consulte, il ne se modifie plus" in plan
    assert "Parvis (Quartier de la Gare)" in plan
    for page in (plan, action):
        assert "/modifier/" not in page
        assert "/supprimer/" not in page
        assert "/ajouter/" not in page
    assert url("action_decisions", plan_clos.action.pk) not in action
    assert url("action_proposer", plan_clos.action.pk) not in action


# Ce que chacun voit -------------------------------------------------------------------------


@pytest.fixture
def action_complete(action, decisions, institution, pilote):
    services.action_modifier(action, porteur=institution, partenaires=[institution])
    services.action_lier_decision(action, decisions[0])
    services.financement_ajouter(action=action, source="caf", montant_demande=Decimal("900"))
    services.action_proposer(action, auteur=pilote, expose="Financement CAF")
    return action


def test_la_formation_restreinte_lit_le_plan_et_l_action_sans_rien_modifier(
    client, formation_restreinte, groupe, plan, action_complete
):
    client.force_login(formation_restreinte)

    liste = client.get(url("plans", groupe.pk))
    plan_page = client.get(plan.get_absolute_url())
    action_page = client.get(action_complete.get_absolute_url())

    assert [liste.status_code, plan_page.status_code, action_page.status_code] == [200] * 3
    assert "Chantiers éducatifs" in contenu(plan_page)
    assert euros("900") in ligne(plan_page, "Total du plan")
    assert "Lancer les chantiers éducatifs" in contenu(action_page)
    assert "Financement CAF" in contenu(action_page)
    for page in (liste, plan_page, action_page):
        assert "/modifier/" not in contenu(page)
        assert "/ajouter/" not in contenu(page)
        assert "/nouveau/" not in contenu(page)
        assert url("action_proposer", action_complete.pk) not in contenu(page)
        # Ni la fiche du groupe ni ses réunions : la formation restreinte n'en lit que les plans.
        assert f'href="{groupe.get_absolute_url()}"' not in contenu(page)
        assert "/reunions/" not in contenu(page)
    assert url("plan_pdf", plan.pk) in contenu(plan_page)


def test_un_membre_lit_sans_boutons_d_ecriture(client, membre, groupe, plan, action_complete):
    client.force_login(membre)

    pages = [
        client.get(url("plans", groupe.pk)),
        client.get(plan.get_absolute_url()),
        client.get(action_complete.get_absolute_url()),
    ]

    for page in pages:
        assert page.status_code == 200
        assert "/modifier/" not in contenu(page)
        assert "/ajouter/" not in contenu(page)
        assert f'href="{groupe.get_absolute_url()}"' in contenu(page)
    assert url("plan_creer", groupe.pk) not in contenu(pages[0])


def test_les_ecritures_sont_introuvables_hors_du_groupe(client, etranger, membre, plan, action):
    financement = services.financement_ajouter(
        action=action, source="fipd", montant_demande=Decimal("10")
    )
    avant = etat_de_la_base()
    adresses = [
        url("plan_modifier", plan.pk),
        url("action_creer", plan.pk),
        url("action_modifier", action.pk),
        url("financement_supprimer", financement.pk),
        url("action_proposer", action.pk),
    ]

    for personne in (etranger, membre):
        client.force_login(personne)
        assert [client.post(adresse).status_code for adresse in adresses] == [404] * 5
    client.force_login(etranger)
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.get(action.get_absolute_url()).status_code == 404
    assert etat_de_la_base() == avant


def test_la_fiche_du_groupe_mene_a_ses_plans(client, membre, groupe):
    client.force_login(membre)

    page = client.get(groupe.get_absolute_url())

    assert f'href="{url("plans", groupe.pk)}"' in contenu(page)


# PDF ---------------------------------------------------------------------------------------


def texte_du_pdf(reponse):
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    lecteur = PdfReader(io.BytesIO(reponse.content))
    texte = " ".join(page.extract_text() for page in lecteur.pages)
    return " ".join(texte.split()), len(lecteur.pages)


def test_le_pdf_du_plan(client, membre, groupe, plan, institution, mairie):
    nommer(membre, "Camille", "Martin")
    services.plan_modifier(plan, statut="adopte", adopte_le=datetime.date(2026, 1, 15))
    for titre, porteur, montants in (
        ("Chantiers éducatifs", mairie, [("10000", "8000"), ("5000", "5000")]),
        ("Médiation de nuit", institution, [("2500.50", None)]),
    ):
        action = services.action_creer(
            plan=plan,
            titre=titre,
            programme=programme(),
            date_debut=DEBUT,
            porteur=porteur,
            statut="validee",
            partenaires=[institution, mairie],
        )
        for demande, accorde in montants:
            services.financement_ajouter(
                action=action,
                source="fipd",
                montant_demande=Decimal(demande),
                montant_accorde=Decimal(accorde) if accorde else None,
            )
    client.force_login(membre)

    reponse = client.get(url("plan_pdf", plan.pk))

    texte, pages = texte_du_pdf(reponse)
    assert reponse["Content-Disposition"] == (
        'attachment; filename="plan-d-action-groupe-jeunes-de-testville-2026.pdf"'
    )
    assert reponse["Cache-Control"] == "private, no-store"

    def normal(valeur):
        return " ".join(valeur.split())

    attendus = [
        "CLSPD de Testville — Groupe jeunes de Testville",
        "Plan d'action : Plan d'action 2026",
        "du 01/01/2026 au 31/12/2026",
        "Adopté par la formation restreinte le 15/01/2026",
        "Chantiers éducatifs",
        "Médiation de nuit",
        "Mairie de Testville",
        normal(f"Total du plan {euros('17500.50')} {euros('13000')}"),
        normal(f"FIPD {euros('17500.50')} {euros('13000')}"),
        "L132-5",
        "Généré par Camille Martin",
        f"page 1 / {pages}",
    ]
    manquants = [attendu for attendu in attendus if attendu not in texte]
    assert not manquants, f"absents du PDF : {manquants}\n--- texte extrait :\n{texte}"


def test_le_pdf_d_un_schema_de_tranquillite(client, formation_restreinte, schema):
    services.periode_ajouter(
        lieu=schema.lieu,
        jours=["ven", "sam"],
        heure_debut=datetime.time(22),
        heure_fin=datetime.time(2),
        saisons=["ete"],
    )
    services.mesure_ajouter(lieu=schema.lieu, categorie="mediation")
    client.force_login(formation_restreinte)

    texte, _ = texte_du_pdf(client.get(url("plan_pdf", schema.plan.pk)))

    for attendu in (
        "Schéma local de tranquillité publique",
        "Parvis de la gare (Quartier de la Gare)",
        "Vendredi, Samedi de 22h00 à 02h00 le lendemain Été",
        "Médiateurs Présence humaine",
    ):
        assert attendu in texte, texte
    # Aucun bouton d'écriture dans le document.
    assert "Supprimer" not in texte and "Ajouter" not in texte


# Nombre de requêtes -------------------------------------------------------------------------

PETITE, GRANDE = 2, 20
MAX_REQUETES = 15


def plan_peuple(groupe, taille, institutions, quartier):
    """Un plan de ``taille`` actions (deux partenaires, trois financements chacune) et de
    ``taille`` lieux sensibles (deux périodes, deux mesures chacun)."""
    plan = PlanAction.objects.create(
        groupe=groupe, titre=f"Plan de {taille} actions", date_debut=DEBUT, date_fin=FIN
    )
    for i in range(1, taille + 1):
        action = Action.objects.create(
            plan=plan,
            titre=f"Action {i:02d}",
            programme=groupe.programme,
            porteur=institutions[0],
            referent=UtilisateurFactory(),
            territoire=quartier,
            date_debut=DEBUT,
            statut="validee",
        )
        action.partenaires.set(institutions[1:])
        Financement.objects.bulk_create(
            Financement(action=action, source=source, montant_demande=100, montant_accorde=50)
            for source in ("fipd", "commune", "caf")
        )
        lieu = LieuSensible.objects.create(plan=plan, nom=f"Lieu {i:02d}", territoire=quartier)
        PeriodeSensible.objects.bulk_create(
            PeriodeSensible(
                lieu=lieu,
                jours=["lun"],
                heure_debut=datetime.time(h),
                heure_fin=datetime.time(h + 1),
            )
            for h in (8, 20)
        )
        Mesure.objects.bulk_create(
            Mesure(lieu=lieu, categorie=categorie) for categorie in ("eclairage", "patrouilles")
        )
    return plan


@pytest.fixture
def mesurer(client, django_assert_max_num_queries):
    def mesurer(utilisateur, adresse):
        client.force_login(utilisateur)
        with django_assert_max_num_queries(MAX_REQUETES) as requetes:
            reponse = client.get(adresse)
        assert reponse.status_code == 200
        return reponse, requetes

    return mesurer


def assert_meme_nombre_de_requetes(petite, grande):
    def sql(requetes):
        return "\n".join(f"  {q['sql']}" for q in requetes.captured_queries)

    assert len(grande) == len(petite), (
        f"{len(petite)} requêtes pour {PETITE}, {len(grande)} pour {GRANDE} :\n"
        f"--- petite\n{sql(petite)}\n--- grande\n{sql(grande)}"
    )


@pytest.mark.parametrize("persona", ["pilote", "formation_restreinte"])
def test_requetes_de_la_page_du_plan(
    request, mesurer, groupe, institution, mairie, bailleur, quartier, persona
):
    changer_de_programme(groupe, Programme.Axe.TRANQUILLITE)
    utilisateur = request.getfixturevalue(persona)
    petit, grand = (
        plan_peuple(groupe, taille, [institution, mairie, bailleur], quartier)
        for taille in (PETITE, GRANDE)
    )

    _, requetes_petit = mesurer(utilisateur, petit.get_absolute_url())
    reponse, requetes_grand = mesurer(utilisateur, grand.get_absolute_url())

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    page = contenu(reponse)
    assert page.count("Bailleur Habitat, Mairie de Testville") == GRANDE
    assert page.count("Présence humaine") == GRANDE
    total = ligne(reponse, "Total du plan")
    assert euros(GRANDE * 300) in total and euros(GRANDE * 150) in total


@pytest.mark.parametrize("persona", ["membre", "formation_restreinte"])
def test_requetes_de_la_liste_des_plans(
    request, mesurer, conseil, coordonnateur, institution, quartier, persona
):
    utilisateur = request.getfixturevalue(persona)
    groupes = []
    for taille in (PETITE, GRANDE):
        groupe = GroupeFactory(conseil=conseil, nom=f"Groupe de {taille} plans")
        if persona == "membre":
            ajouter_membre(groupe, utilisateur, institution, coordonnateur)
        for i in range(1, taille + 1):
            plan = PlanAction.objects.create(
                groupe=groupe,
                titre=f"Plan {i:02d}",
                date_debut=DEBUT.replace(year=2000 + i),
                date_fin=FIN.replace(year=2000 + i),
            )
            Action.objects.bulk_create(
                Action(plan=plan, titre=f"Action {j}", programme=groupe.programme, date_debut=DEBUT)
                for j in range(3)
            )
        groupes.append(groupe)

    _, requetes_petit = mesurer(utilisateur, url("plans", groupes[0].pk))
    reponse, requetes_grand = mesurer(utilisateur, url("plans", groupes[1].pk))

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    assert f"{GRANDE} plans d'action" in contenu(reponse)
    assert [p.nb_actions for p in reponse.context["page_obj"]] == [3] * GRANDE
