"""Les rapports d'évaluation : le contenu calculé sur un jeu de données connu (chiffres
exacts par groupe, programme et conseil, année précédente, taux d'atteinte, saisies
attendues et validées), la copie figée, le verrou des saisies à la soumission, l'examen
par la formation restreinte (commentaires, conclusions, clôture) avec ses refus, les 404,
le PDF relu (sections, chiffres, mention de confidentialité, pagination, aucune donnée
personnelle) et le nombre de requêtes de la page à deux tailles.

Le jeu de données : l'année évaluée est l'an dernier. Deux groupes du conseil dans deux
programmes ; leurs plans de l'année et de l'année d'avant ; des saisies validées, une
soumise (jamais comptée) ; des réunions, des décisions, des financements ; et un autre
conseil, dont rien ne doit apparaître.
"""

import datetime
import io
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clspd import services as conseil_services
from clspd.models import Programme
from evaluation import selectors, services
from evaluation.models import (
    CommentaireRapport,
    EvaluationAction,
    Indicateur,
    IndicateurSuivi,
    RapportEvaluation,
    Saisie,
    Valeur,
)
from groupes.models import CompteRendu, Decision
from programmes.models import Action
from tests.factories import (
    ConseilFactory,
    GroupeFactory,
    InstitutionFactory,
    ReunionFactory,
    UtilisateurFactory,
    programme,
)
from tests.groupes.test_views import erreur_du_champ
from tests.programmes.conftest import Source, action_de, financer, plan_de

pytestmark = pytest.mark.django_db

ANNEE = timezone.localdate().year - 1
PRECEDENTE = ANNEE - 1
VALIDEE = Saisie.Statut.VALIDEE
Statut = Action.Statut

BENEFICIAIRES = "Nombre de bénéficiaires"
REITERATION = "Réitération des comportements à l'origine de la mesure"
SOLUTIONS = "Nombre de solutions concrètes trouvées"
APPRECIATION = "Appréciation par l'opérateur de l'évolution de la situation des bénéficiaires"
TEXTE_VALIDE = "Les jeunes reviennent d'une séance à l'autre et prennent confiance."
TEXTE_NON_VALIDE = "Ce texte soumis au pilote n'est pas encore validé."


# Données ------------------------------------------------------------------------------------


def indicateur(code):
    return Indicateur.objects.get(conseil=None, code=code)


def evaluer(action, rythme, **cibles):
    evaluation = EvaluationAction.objects.create(action=action, rythme=rythme)
    for code, cible in cibles.items():
        IndicateurSuivi.objects.create(
            evaluation=evaluation,
            indicateur=indicateur(code),
            cible=None if cible is None else Decimal(cible),
        )
    return evaluation


def saisir(evaluation, annee, numero=1, *, auteur, statut=VALIDEE, **valeurs):
    saisie = Saisie.objects.create(
        evaluation=evaluation, annee=annee, numero=numero, statut=statut, saisie_par=auteur
    )
    for code, valeur in valeurs.items():
        champs = {"texte": valeur} if isinstance(valeur, str) else {"nombre": Decimal(valeur)}
        Valeur.objects.create(saisie=saisie, indicateur=indicateur(code), **champs)
    return saisie


def jour(mois, quantieme, annee=ANNEE):
    return datetime.date(annee, mois, quantieme)


def nommer(utilisateur, prenom, nom):
    utilisateur.first_name, utilisateur.last_name = prenom, nom
    utilisateur.save(update_fields=["first_name", "last_name"])
    return utilisateur


@pytest.fixture
def formation_ailleurs(db):
    """Un membre de la formation restreinte d'un autre conseil."""
    conseil = ConseilFactory(nom="CISPD des Autres")
    utilisateur = UtilisateurFactory(email="formation@autres.fr")
    conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=utilisateur,
        institution=InstitutionFactory(conseil=conseil),
        qualite="",
        programme=None,
        date_debut=timezone.localdate(),
    )
    return utilisateur


@pytest.fixture
def commentatrice(conseil, institution):
    """Une seconde membre de la formation restreinte, qui commente le rapport."""
    utilisateur = UtilisateurFactory(
        email="romane.restreinte@testville.fr", first_name="Romane", last_name="Restreinte"
    )
    conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=utilisateur,
        institution=institution,
        qualite="Procureure",
        programme=None,
        date_debut=timezone.localdate(),
    )
    return utilisateur


@pytest.fixture
def donnees(
    conseil, groupe, autre_groupe, institution, coordonnateur, pilote, membre, autre_conseil
):
    """Le jeu de données connu ; les chiffres attendus sont écrits dans les tests."""
    nommer(pilote, "Paula", "Pilotine")
    nommer(membre, "Marc", "Membrelin")
    nommer(coordonnateur, "Coralie", "Coordination")
    operateur = UtilisateurFactory(
        email="oscar.operateur@testville.fr", first_name="Oscar", last_name="Opérateur"
    )
    referent = UtilisateurFactory(
        email="remi.referent@testville.fr", first_name="Rémi", last_name="Référent"
    )
    autre_groupe.programme = programme(Programme.Axe.TRANQUILLITE)
    autre_groupe.save()

    # Groupe jeunes : deux actions de l'année, une de l'année précédente.
    plan = plan_de(groupe, ANNEE)
    chantiers = action_de(
        plan, "Chantiers éducatifs", statut=Statut.EN_COURS, porteur=institution, referent=referent
    )
    mediation_scolaire = action_de(
        plan, "Médiation scolaire", statut=Statut.TERMINEE, porteur=institution
    )
    ancienne = action_de(
        plan_de(groupe, PRECEDENTE),
        "Chantiers de l'an passé",
        statut=Statut.TERMINEE,
        porteur=institution,
    )
    # Groupe tranquillité : une action de l'année, une de l'année précédente.
    nuit = action_de(
        plan_de(autre_groupe, ANNEE),
        "Médiation de nuit",
        axe=Programme.Axe.TRANQUILLITE,
        statut=Statut.VALIDEE,
        porteur=institution,
    )
    nuit_passee = action_de(
        plan_de(autre_groupe, PRECEDENTE),
        "Médiation de nuit de l'an passé",
        axe=Programme.Axe.TRANQUILLITE,
        statut=Statut.TERMINEE,
        porteur=institution,
    )

    e_chantiers = evaluer(
        chantiers,
        "semestre",
        beneficiaires="100",
        reiteration="20",
        evolution_beneficiaires=None,
    )
    e_scolaire = evaluer(mediation_scolaire, "annee", beneficiaires="50", solutions_trouvees="10")
    e_ancienne = evaluer(ancienne, "annee", beneficiaires="80")
    e_nuit = evaluer(nuit, "trimestre", beneficiaires="40", evolution_beneficiaires=None)
    e_nuit_passee = evaluer(nuit_passee, "annee", beneficiaires="30")

    saisies = [
        saisir(
            e_chantiers,
            ANNEE,
            1,
            auteur=operateur,
            beneficiaires=30,
            reiteration=10,
            evolution_beneficiaires=TEXTE_VALIDE,
        ),
        saisir(
            e_chantiers,
            ANNEE,
            2,
            auteur=operateur,
            beneficiaires=45,
            reiteration=20,
            evolution_beneficiaires="",
        ),
        saisir(e_scolaire, ANNEE, auteur=membre, beneficiaires=40, solutions_trouvees=6),
        saisir(e_nuit, ANNEE, 1, auteur=operateur, beneficiaires=12),
    ]
    # Une saisie soumise, pas validée : ni comptée ni citée.
    saisir(
        e_nuit,
        ANNEE,
        2,
        auteur=operateur,
        statut=Saisie.Statut.SOUMISE,
        beneficiaires=8,
        evolution_beneficiaires=TEXTE_NON_VALIDE,
    )
    # L'année précédente, dans les plans de cette année-là.
    saisir(e_ancienne, PRECEDENTE, auteur=operateur, beneficiaires=70)
    saisir(e_nuit_passee, PRECEDENTE, auteur=operateur, beneficiaires=25)

    # Réunions de l'année : deux tenues et une annulée pour les jeunes (plus une de l'année
    # précédente), une pour la tranquillité.
    r1 = ReunionFactory(groupe=groupe, date=jour(3, 10), cree_par=coordonnateur)
    r2 = ReunionFactory(groupe=groupe, date=jour(6, 12), cree_par=coordonnateur)
    ReunionFactory(
        groupe=groupe, date=jour(9, 8), cree_par=coordonnateur, annulee_le=timezone.now()
    )
    ReunionFactory(groupe=groupe, date=jour(5, 5, PRECEDENTE), cree_par=coordonnateur)
    ReunionFactory(groupe=autre_groupe, date=jour(4, 2), cree_par=coordonnateur)
    # Décisions actées (compte rendu validé) : deux ouvertes dont une en retard, une faite ;
    # une décision d'une réunion sans compte rendu validé ne compte pas.
    CompteRendu.objects.create(
        reunion=r1,
        version=1,
        statut=CompteRendu.Statut.VALIDE,
        valide_le=timezone.now(),
        contenu={},
        cree_par=coordonnateur,
    )
    for libelle, statut, echeance in (
        ("Relancer le bailleur", Decision.Statut.A_FAIRE, jour(12, 31)),
        ("Organiser un chantier d'été", Decision.Statut.EN_COURS, None),
        ("Présenter le bilan", Decision.Statut.FAITE, jour(1, 15)),
    ):
        Decision.objects.create(
            reunion=r1,
            libelle=libelle,
            statut=statut,
            echeance=echeance,
            institution_porteuse=institution,
        )
    Decision.objects.create(
        reunion=r2, libelle="Non actée", echeance=jour(1, 1), institution_porteuse=institution
    )
    # Financements.
    financer(chantiers, Source.FIPD, "10000", "8000")
    financer(mediation_scolaire, Source.COMMUNE, "5000")
    financer(nuit, Source.FIPD, "3000", "3000")

    # Un autre conseil, avec ses propres valeurs validées : jamais dans ce rapport.
    ailleurs = GroupeFactory(conseil=ConseilFactory(nom="CLSPD de Loin"), nom="Groupe de Loin")
    loin = action_de(
        plan_de(ailleurs, ANNEE),
        "Action lointaine",
        statut=Statut.EN_COURS,
        porteur=InstitutionFactory(conseil=ailleurs.conseil),
    )
    financer(loin, Source.FIPD, "99999", "99999")
    saisir(evaluer(loin, "annee", beneficiaires="999"), ANNEE, auteur=operateur, beneficiaires=999)
    return {
        "saisies": saisies,
        "operateur": operateur,
        "referent": referent,
        "e_nuit": e_nuit,
        "chantiers": chantiers,
    }


def par_nom(lignes):
    return {
        ligne["nom"]: (ligne["valeur"], ligne["precedent"], ligne["cible"], ligne["taux"])
        for ligne in lignes
    }


def comptes(partie):
    return {
        cle: partie[cle]
        for cle in (
            "reunions",
            "decisions_ouvertes",
            "decisions_en_retard",
            "financement_demande",
            "financement_accorde",
            "saisies_attendues",
            "saisies_validees",
            "actions_par_statut",
        )
    }


def statuts(**nombres):
    libelles = dict(Statut.choices)
    return [{"libelle": libelles[statut], "nombre": n} for statut, n in nombres.items()]


JEUNES = {
    "reunions": 2,
    "decisions_ouvertes": 2,
    "decisions_en_retard": 1,
    "financement_demande": 15000,
    "financement_accorde": 8000,
    "saisies_attendues": 3,
    "saisies_validees": 3,
    "actions_par_statut": statuts(en_cours=1, terminee=1),
}
TRANQUILLITE = {
    "reunions": 1,
    "decisions_ouvertes": 0,
    "decisions_en_retard": 0,
    "financement_demande": 3000,
    "financement_accorde": 3000,
    "saisies_attendues": 4,
    "saisies_validees": 1,
    "actions_par_statut": statuts(validee=1),
}
INDICATEURS_JEUNES = {
    # 30 + 45 + 40 sur une cible de 100 + 50 ; l'an passé, 70 (le plan de l'an passé).
    BENEFICIAIRES: (115, 70, 150, 77),
    # Un pourcentage se moyenne : (10 + 20) / 2.
    REITERATION: (15, None, 20, 75),
    SOLUTIONS: (6, None, 10, 60),
}
INDICATEURS_TRANQUILLITE = {BENEFICIAIRES: (12, 25, 40, 30)}


def preparer(conseil, auteur, programme=None, annee=ANNEE):
    return services.rapport_preparer(
        conseil=conseil, annee=annee, programme=programme, auteur=auteur
    )


def soumis(conseil, coordonnateur):
    rapport = preparer(conseil, coordonnateur)
    return services.rapport_soumettre(rapport, auteur=coordonnateur)


def url(nom, *args):
    return reverse(f"evaluation:{nom}", args=args)


def html(reponse):
    """La page, entités décodées : les apostrophes s'y lisent telles quelles."""
    return unescape(reponse.content.decode())


def erreur_de(reponse, champ):
    return unescape(erreur_du_champ(reponse, champ))


def page(client, utilisateur, adresse):
    client.force_login(utilisateur)
    reponse = client.get(adresse)
    assert reponse.status_code == 200
    return html(reponse)


def espaces(texte):
    return " ".join(texte.replace("\xa0", " ").replace("\u202f", " ").split())


# Contenu du rapport : les chiffres exacts --------------------------------------------------


def test_contenu_du_conseil(conseil, groupe, autre_groupe, donnees):
    contenu = selectors.contenu_du_rapport(conseil, ANNEE)

    assert contenu["conseil"] == "CLSPD de Testville"
    assert contenu["annee"] == ANNEE
    assert contenu["perimetre"] == "Tout le conseil"
    jeunes, tranquillite = sorted(
        contenu["programmes"], key=lambda p: p["cle"] != (f"programme-{programme().pk}")
    )
    assert jeunes["nom"] == programme().nom
    assert tranquillite["nom"] == programme(Programme.Axe.TRANQUILLITE).nom
    [g_jeunes] = jeunes["groupes"]
    [g_tranquillite] = tranquillite["groupes"]
    assert (g_jeunes["cle"], g_jeunes["nom"]) == (f"groupe-{groupe.pk}", groupe.nom)
    assert g_tranquillite["cle"] == f"groupe-{autre_groupe.pk}"

    # Par groupe, puis par programme (ici, un groupe chacun), puis pour le conseil.
    assert comptes(g_jeunes) == comptes(jeunes) == JEUNES
    assert comptes(g_tranquillite) == comptes(tranquillite) == TRANQUILLITE
    assert par_nom(g_jeunes["indicateurs"]) == par_nom(jeunes["indicateurs"]) == INDICATEURS_JEUNES
    assert (
        par_nom(g_tranquillite["indicateurs"])
        == par_nom(tranquillite["indicateurs"])
        == INDICATEURS_TRANQUILLITE
    )
    synthese = contenu["synthese"]
    assert synthese["groupes"] == 2
    assert comptes(synthese) == {
        "reunions": 3,
        "decisions_ouvertes": 2,
        "decisions_en_retard": 1,
        "financement_demande": 18000,
        "financement_accorde": 11000,
        "saisies_attendues": 7,
        "saisies_validees": 4,
        "actions_par_statut": statuts(validee=1, en_cours=1, terminee=1),
    }
    assert par_nom(synthese["indicateurs"]) == {
        # 115 + 12 sur 150 + 40 : 66,8 % ; l'an passé 70 + 25.
        BENEFICIAIRES: (127, 95, 190, 67),
        REITERATION: (15, None, 20, 75),
        SOLUTIONS: (6, None, 10, 60),
    }
    # Les textes validés seulement, avec leur action et leur période.
    assert g_jeunes["textes"] == [
        {
            "action": "Chantiers éducatifs",
            "periode": f"{ANNEE}, 1er semestre",
            "indicateur": APPRECIATION,
            "texte": TEXTE_VALIDE,
        }
    ]
    assert g_tranquillite["textes"] == []
    assert TEXTE_NON_VALIDE not in str(contenu)


def test_contenu_d_un_programme(conseil, groupe, donnees):
    contenu = selectors.contenu_du_rapport(conseil, ANNEE, programme())

    assert contenu["perimetre"] == programme().nom
    [partie] = contenu["programmes"]
    assert [g["nom"] for g in partie["groupes"]] == [groupe.nom]
    assert {**comptes(contenu["synthese"]), "groupes": contenu["synthese"]["groupes"]} == {
        **JEUNES,
        "groupes": 1,
    }
    assert par_nom(contenu["synthese"]["indicateurs"]) == INDICATEURS_JEUNES


def test_contenu_sans_donnees_ni_personne(conseil, groupe, donnees):
    """Une année sans rien : des zéros, pas d'erreur. Et jamais une personne nommée."""
    vide = selectors.contenu_du_rapport(conseil, ANNEE - 5)

    assert comptes(vide["synthese"]) == {
        "reunions": 0,
        "decisions_ouvertes": 2,  # l'état des décisions au jour de la préparation
        "decisions_en_retard": 1,
        "financement_demande": 0,
        "financement_accorde": 0,
        "saisies_attendues": 0,
        "saisies_validees": 0,
        "actions_par_statut": [],
    }
    assert vide["synthese"]["indicateurs"] == []
    texte = str(selectors.contenu_du_rapport(conseil, ANNEE))
    for personne in (donnees["operateur"], donnees["referent"]):
        assert personne.last_name not in texte
        assert personne.email not in texte


def test_une_cible_sur_un_texte_ne_casse_pas_le_rapport(conseil, donnees):
    IndicateurSuivi.objects.filter(indicateur__code="evolution_beneficiaires").update(
        cible=Decimal("3")
    )

    contenu = selectors.contenu_du_rapport(conseil, ANNEE)

    assert APPRECIATION not in par_nom(contenu["synthese"]["indicateurs"])


# Préparation : la copie figée ----------------------------------------------------------------


def test_preparer_par_la_page(client, conseil, coordonnateur, donnees):
    client.force_login(coordonnateur)

    formulaire = client.get(url("rapport_preparer", conseil.pk))
    assert formulaire.context["form"]["annee"].value() == timezone.localdate().year - 1
    reponse = client.post(url("rapport_preparer", conseil.pk), {"annee": ANNEE, "programme": ""})

    rapport = RapportEvaluation.objects.get()
    assert reponse.status_code == 302
    assert reponse["Location"] == rapport.get_absolute_url()
    assert rapport.statut == RapportEvaluation.Statut.PREPARE
    assert rapport.titre == f"Rapport d'évaluation {ANNEE} — tout le conseil"
    assert rapport.prepare_par == coordonnateur
    assert rapport.contenu == selectors.contenu_du_rapport(conseil, ANNEE)
    assert set(rapport.saisies.all()) == set(donnees["saisies"])


def test_preparer_un_programme(client, conseil, coordonnateur, donnees):
    client.force_login(coordonnateur)

    client.post(url("rapport_preparer", conseil.pk), {"annee": ANNEE, "programme": programme().pk})

    rapport = RapportEvaluation.objects.get()
    assert rapport.programme == programme()
    assert rapport.contenu["perimetre"] == programme().nom
    assert rapport.saisies.count() == 3


@pytest.mark.parametrize(
    ("donnees_envoyees", "champ", "erreur"),
    [
        ({"annee": ""}, "annee", "Indiquez l'année évaluée."),
        ({"annee": "l'an dernier"}, "annee", "Saisissez une année, par exemple 2025."),
        ({"annee": "1999"}, "annee", "L'évaluation commence en 2000."),
        (
            {"annee": str(timezone.localdate().year + 1)},
            "annee",
            "On n'évalue pas une année à venir.",
        ),
        ({"annee": str(ANNEE), "programme": "999999"}, "programme", "Choisissez un programme"),
    ],
)
def test_preparer_refuse(client, conseil, coordonnateur, donnees, donnees_envoyees, champ, erreur):
    client.force_login(coordonnateur)

    reponse = client.post(url("rapport_preparer", conseil.pk), donnees_envoyees)

    assert reponse.status_code == 200
    assert erreur in erreur_de(reponse, champ)
    assert not RapportEvaluation.objects.exists()


def test_preparer_un_programme_sans_groupe_dans_le_conseil(client, conseil, coordonnateur, groupe):
    client.force_login(coordonnateur)

    reponse = client.post(
        url("rapport_preparer", conseil.pk),
        {"annee": ANNEE, "programme": programme(Programme.Axe.VICTIMES).pk},
    )

    assert "Choisissez un programme des groupes du conseil." in erreur_de(reponse, "programme")
    assert not RapportEvaluation.objects.exists()


def test_le_rapport_ne_change_plus(client, conseil, coordonnateur, donnees):
    rapport = preparer(conseil, coordonnateur)
    avant = rapport.contenu
    page_avant = espaces(page(client, coordonnateur, rapport.get_absolute_url()))
    assert "127" in page_avant

    # Une valeur corrigée, une nouvelle période validée, une action abandonnée.
    Valeur.objects.filter(saisie=donnees["saisies"][0], indicateur__code="beneficiaires").update(
        nombre=Decimal("1000")
    )
    nouvelle = saisir(donnees["e_nuit"], ANNEE, 3, auteur=donnees["operateur"], beneficiaires=50)
    Action.objects.filter(pk=donnees["chantiers"].pk).update(statut=Statut.ABANDONNEE)

    rapport.refresh_from_db()
    assert rapport.contenu == avant
    assert nouvelle not in rapport.saisies.all()
    page_apres = espaces(page(client, coordonnateur, rapport.get_absolute_url()))
    assert "1 097" not in page_apres and "1 147" not in page_apres
    assert "127" in page_apres
    # Un nouveau rapport montre les nouveaux chiffres : 1000 + 45 + 40 + 12 + 50.
    nouveau = preparer(conseil, coordonnateur)
    assert par_nom(nouveau.contenu["synthese"]["indicateurs"])[BENEFICIAIRES][0] == 1147
    assert "1 147" in espaces(page(client, coordonnateur, nouveau.get_absolute_url()))
    assert nouvelle in nouveau.saisies.all()


# Soumission : les saisies verrouillées ----------------------------------------------------


def test_soumettre_verrouille_les_saisies(client, conseil, coordonnateur, membre, donnees):
    rapport = preparer(conseil, coordonnateur)
    saisie = donnees["saisies"][2]
    # Tant que le rapport est en préparation, une saisie rouverte se corrige encore.
    Saisie.objects.filter(pk=saisie.pk).update(statut=Saisie.Statut.RENVOYEE)
    services.saisie_enregistrer(
        saisie,
        auteur=membre,
        valeurs={indicateur("beneficiaires"): "41", indicateur("solutions_trouvees"): "6"},
    )
    client.force_login(coordonnateur)

    confirmation = client.get(url("rapport_soumettre", rapport.pk))
    assert "Les 4 saisies qu'il contient ne pourront plus" in html(confirmation)
    reponse = client.post(url("rapport_soumettre", rapport.pk))

    assert reponse.status_code == 302
    rapport.refresh_from_db()
    assert rapport.statut == RapportEvaluation.Statut.SOUMIS
    assert rapport.soumis_le is not None
    with pytest.raises(services.SaisieVerrouillee):
        services.saisie_enregistrer(
            saisie, auteur=membre, valeurs={indicateur("beneficiaires"): "99"}
        )
    assert Valeur.objects.get(saisie=saisie, indicateur__code="beneficiaires").nombre == 41
    # Une seconde soumission est refusée, en français.
    reponse = client.post(url("rapport_soumettre", rapport.pk))
    assert "Ce rapport est déjà soumis à la formation restreinte." in html(reponse)


# Examen : commentaires, conclusions, clôture -----------------------------------------------


def test_commenter_chaque_partie(
    client, conseil, groupe, coordonnateur, formation_restreinte, donnees
):
    rapport = soumis(conseil, coordonnateur)
    client.force_login(formation_restreinte)
    parties = sorted(selectors.parties_du_rapport(rapport))
    assert parties == sorted(
        [
            "synthese",
            f"programme-{programme().pk}",
            f"programme-{programme(Programme.Axe.TRANQUILLITE).pk}",
            f"groupe-{groupe.pk}",
            f"groupe-{donnees['e_nuit'].action.plan.groupe_id}",
        ]
    )

    contenu = page(client, formation_restreinte, rapport.get_absolute_url())
    for partie in parties:
        assert f'id="id_{partie}_texte"' in contenu
    # Chaque champ dit la partie qu'il commente.
    assert "Commentaire sur la synthèse" in contenu
    assert f"Commentaire sur « {groupe.nom} »" in contenu
    assert f"Commentaire sur « {programme().nom} »" in contenu
    for partie in parties:
        reponse = client.post(
            url("rapport_commenter", rapport.pk),
            {"partie": partie, "texte": f"  Commentaire sur {partie}.  "},
        )
        assert reponse.status_code == 302
        assert reponse["Location"] == f"{rapport.get_absolute_url()}#{partie}"

    assert sorted(CommentaireRapport.objects.values_list("partie", "texte", "auteur")) == sorted(
        (partie, f"Commentaire sur {partie}.", formation_restreinte.pk) for partie in parties
    )
    contenu = page(client, formation_restreinte, rapport.get_absolute_url())
    for partie in parties:
        assert f"Commentaire sur {partie}." in contenu


@pytest.mark.parametrize(
    ("partie", "texte", "erreur"),
    [
        ("groupe-999999", "Un commentaire.", "Cette partie n'existe pas dans le rapport."),
        ("", "Un commentaire.", "Cette partie n'existe pas dans le rapport."),
        ("synthese", "   ", "Le commentaire est vide."),
        ("synthese", "x" * 5001, "Un commentaire tient en 5 000 caractères au plus."),
    ],
)
def test_commenter_refuse(
    client, conseil, coordonnateur, formation_restreinte, donnees, partie, texte, erreur
):
    rapport = soumis(conseil, coordonnateur)
    client.force_login(formation_restreinte)

    reponse = client.post(url("rapport_commenter", rapport.pk), {"partie": partie, "texte": texte})

    assert reponse.status_code == 200
    contenu = html(reponse)
    assert erreur in contenu
    if partie == "synthese":
        assert erreur in erreur_de(reponse, "synthese_texte")
    else:
        assert "Rien n'a été enregistré" in contenu
    assert not CommentaireRapport.objects.exists()


def test_conclure_puis_clore_l_examen(client, conseil, coordonnateur, commentatrice, donnees):
    rapport = soumis(conseil, coordonnateur)
    client.force_login(commentatrice)

    # Clore sans conclusions : refusé.
    reponse = client.post(
        url("rapport_conclure", rapport.pk), {"conclusions": "  ", "examine": "on"}
    )
    assert reponse.status_code == 200
    assert "Rédigez les conclusions avant de clore l'examen." in erreur_de(reponse, "conclusions")
    rapport.refresh_from_db()
    assert (rapport.statut, rapport.conclusions) == (RapportEvaluation.Statut.SOUMIS, "")

    # Des conclusions provisoires, puis la clôture.
    reponse = client.post(url("rapport_conclure", rapport.pk), {"conclusions": "Premier jet."})
    assert reponse.status_code == 302
    rapport.refresh_from_db()
    assert (rapport.statut, rapport.conclusions) == (
        RapportEvaluation.Statut.SOUMIS,
        "Premier jet.",
    )
    reponse = client.post(
        url("rapport_conclure", rapport.pk),
        {"conclusions": "Poursuivre les chantiers éducatifs.", "examine": "on"},
    )
    assert reponse.status_code == 302
    rapport.refresh_from_db()
    assert rapport.statut == RapportEvaluation.Statut.EXAMINE
    assert rapport.examine_par == commentatrice
    assert rapport.examine_le is not None
    assert rapport.conclusions == "Poursuivre les chantiers éducatifs."

    # Examiné : en lecture seule, plus de formulaire, et tout envoi est refusé.
    contenu = page(client, commentatrice, rapport.get_absolute_url())
    assert "Poursuivre les chantiers éducatifs." in contenu
    assert url("rapport_commenter", rapport.pk) not in contenu
    assert url("rapport_conclure", rapport.pk) not in contenu
    assert "L'examen de ce rapport est clos" in contenu
    reponse = client.post(
        url("rapport_commenter", rapport.pk), {"partie": "synthese", "texte": "Trop tard."}
    )
    assert "Seul un rapport soumis et pas encore examiné" in html(reponse)
    reponse = client.post(
        url("rapport_conclure", rapport.pk), {"conclusions": "Autre chose.", "examine": ""}
    )
    assert "Seul un rapport soumis et pas encore examiné" in html(reponse)
    rapport.refresh_from_db()
    assert rapport.conclusions == "Poursuivre les chantiers éducatifs."
    assert not CommentaireRapport.objects.exists()


def test_un_rapport_en_preparation_ne_se_commente_pas(client, conseil, coordonnateur, donnees):
    rapport = preparer(conseil, coordonnateur)
    client.force_login(coordonnateur)

    contenu = page(client, coordonnateur, rapport.get_absolute_url())
    assert url("rapport_soumettre", rapport.pk) in contenu
    assert url("rapport_commenter", rapport.pk) not in contenu
    reponse = client.post(
        url("rapport_commenter", rapport.pk), {"partie": "synthese", "texte": "Trop tôt."}
    )

    assert reponse.status_code == 200
    assert "Seul un rapport soumis" in html(reponse)
    assert not CommentaireRapport.objects.exists()


def test_get_sur_les_envois_ramene_au_rapport(client, conseil, coordonnateur, donnees):
    rapport = soumis(conseil, coordonnateur)
    client.force_login(coordonnateur)

    for nom in ("rapport_commenter", "rapport_conclure"):
        reponse = client.get(url(nom, rapport.pk))
        assert reponse.status_code == 302
        assert reponse["Location"] == rapport.get_absolute_url()


# Qui voit quoi -------------------------------------------------------------------------------


def test_liste_du_coordonnateur_et_de_la_formation_restreinte(
    client, conseil, coordonnateur, formation_restreinte, donnees
):
    en_preparation = preparer(conseil, coordonnateur, programme())
    remis = soumis(conseil, coordonnateur)

    client.force_login(coordonnateur)
    reponse = client.get(url("rapports", conseil.pk))
    assert list(reponse.context["page_obj"]) == [remis, en_preparation]
    assert url("rapport_preparer", conseil.pk) in html(reponse)
    client.force_login(formation_restreinte)
    reponse = client.get(url("rapports", conseil.pk))
    assert list(reponse.context["page_obj"]) == [remis]
    assert url("rapport_preparer", conseil.pk) not in html(reponse)
    # L'onglet du conseil mène aux rapports.
    contenu = page(client, formation_restreinte, reverse("groupes:conseil", args=[conseil.pk]))
    lien = url("rapports", conseil.pk)
    assert f'href="{lien}">Rapports d\'évaluation</a>' in contenu


def adresses(rapport):
    return [
        ("get", url("rapports", rapport.conseil_id)),
        ("get", url("rapport_preparer", rapport.conseil_id)),
        ("post", url("rapport_preparer", rapport.conseil_id)),
        ("get", url("rapport", rapport.pk)),
        ("get", url("rapport_pdf", rapport.pk)),
        ("get", url("rapport_soumettre", rapport.pk)),
        ("post", url("rapport_soumettre", rapport.pk)),
        ("post", url("rapport_commenter", rapport.pk)),
        ("post", url("rapport_conclure", rapport.pk)),
    ]


ENVOI = {"annee": ANNEE, "partie": "synthese", "texte": "Intrus.", "conclusions": "Intrus."}


@pytest.mark.parametrize(
    "persona", ["pilote", "membre", "etranger", "autre_conseil", "formation_ailleurs"]
)
@pytest.mark.parametrize("statut", ["prepare", "soumis", "examine"])
def test_404_pour_les_autres(request, client, conseil, coordonnateur, donnees, persona, statut):
    rapport = preparer(conseil, coordonnateur)
    RapportEvaluation.objects.filter(pk=rapport.pk).update(
        statut=statut, examine_le=timezone.now() if statut == "examine" else None
    )
    client.force_login(request.getfixturevalue(persona))

    for methode, adresse in adresses(rapport):
        assert getattr(client, methode)(adresse, ENVOI).status_code == 404, (methode, adresse)
    assert RapportEvaluation.objects.count() == 1
    assert not CommentaireRapport.objects.exists()
    assert RapportEvaluation.objects.get().statut == statut


def test_la_formation_restreinte_ne_voit_pas_un_rapport_en_preparation(
    client, conseil, coordonnateur, formation_restreinte, donnees
):
    rapport = preparer(conseil, coordonnateur)
    client.force_login(formation_restreinte)

    for methode, adresse in adresses(rapport):
        attendu = 200 if adresse == url("rapports", conseil.pk) else 404
        assert getattr(client, methode)(adresse, ENVOI).status_code == attendu, adresse
    assert RapportEvaluation.objects.get().statut == RapportEvaluation.Statut.PREPARE
    assert not CommentaireRapport.objects.exists()


def test_la_formation_restreinte_ne_prepare_ni_ne_soumet(
    client, conseil, coordonnateur, formation_restreinte, donnees
):
    rapport = soumis(conseil, coordonnateur)
    client.force_login(formation_restreinte)

    assert client.get(url("rapport", rapport.pk)).status_code == 200
    assert client.get(url("rapport_pdf", rapport.pk)).status_code == 200
    for nom, argument in (("rapport_preparer", conseil.pk), ("rapport_soumettre", rapport.pk)):
        assert client.get(url(nom, argument)).status_code == 404
        assert client.post(url(nom, argument), ENVOI).status_code == 404
    assert RapportEvaluation.objects.count() == 1


# La page du rapport ----------------------------------------------------------------------------


def test_la_page_du_rapport(client, conseil, groupe, coordonnateur, formation_restreinte, donnees):
    rapport = soumis(conseil, coordonnateur)

    contenu = page(client, formation_restreinte, rapport.get_absolute_url())

    texte = espaces(contenu)
    assert contenu.count("<h1") == 1
    for attendu in (
        programme().nom,
        programme(Programme.Axe.TRANQUILLITE).nom,
        groupe.nom,
        "Réunions tenues en",
        "18 000,00 €",
        "11 000,00 €",
        "3 sur 3 attendues",
        "1 sur 4 attendues",
        "En cours : 1",
        TEXTE_VALIDE,
        "77 %",
        "67 %",
    ):
        assert attendu in texte, attendu
    # Un graphique SVG par partie chiffrée, accessible.
    assert contenu.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 5
    assert TEXTE_NON_VALIDE not in contenu
    assert url("rapport_pdf", rapport.pk) in contenu
    assert url("rapport_soumettre", rapport.pk) not in contenu
    assert url("rapport_conclure", rapport.pk) in contenu


# PDF -----------------------------------------------------------------------------------------


def texte_du_pdf(reponse):
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    lecteur = PdfReader(io.BytesIO(reponse.content))
    return espaces(" ".join(p.extract_text() for p in lecteur.pages)), len(lecteur.pages)


def test_le_pdf_du_rapport(
    client,
    conseil,
    groupe,
    autre_groupe,
    coordonnateur,
    formation_restreinte,
    commentatrice,
    pilote,
    membre,
    etranger,
    donnees,
):
    nommer(formation_restreinte, "Fanny", "Formation")
    rapport = soumis(conseil, coordonnateur)
    services.rapport_commenter(
        rapport,
        auteur=commentatrice,
        partie=f"groupe-{groupe.pk}",
        texte="Le groupe a tenu ses objectifs de fréquentation.",
    )
    services.rapport_commenter(
        rapport, auteur=formation_restreinte, partie="synthese", texte="Bonne dynamique."
    )
    services.rapport_conclure(
        rapport,
        auteur=commentatrice,
        conclusions="Reconduire les chantiers éducatifs.",
        examine=True,
    )
    client.force_login(coordonnateur)

    reponse = client.get(url("rapport_pdf", rapport.pk))

    texte, pages = texte_du_pdf(reponse)
    assert reponse["Content-Disposition"].startswith('attachment; filename="rapport-devaluation')
    assert pages >= 5  # couverture, sommaire, synthèse, un programme par page, conclusions
    for attendu in (
        f"Rapport d'évaluation {ANNEE}",
        "CLSPD de Testville",
        "Tout le conseil",
        "Examiné",
        "Sommaire",
        "Synthèse",
        f"Programme : {programme().nom}",
        f"Programme : {programme(Programme.Axe.TRANQUILLITE).nom}",
        groupe.nom,
        autre_groupe.nom,
        # Les chiffres : bénéficiaires du conseil, cible, taux, année précédente.
        "127",
        "190",
        "67 %",
        "95",
        "18 000,00 €",
        "3 sur 3 attendues",
        TEXTE_VALIDE,
        "Le groupe a tenu ses objectifs de fréquentation.",
        "Bonne dynamique.",
        "Reconduire les chantiers éducatifs.",
        "Document confidentiel",
        "L132-5",
        f"page 1 / {pages}",
        f"page {pages} / {pages}",
    ):
        assert attendu in texte, attendu
    # Le graphique est dans le PDF : ses libellés sont du texte.
    assert "% de la cible" in texte
    # Aucune donnée personnelle : ni les membres, ni qui a saisi, ni qui a commenté.
    for personne in (
        pilote,
        membre,
        etranger,
        formation_restreinte,
        commentatrice,
        donnees["operateur"],
        donnees["referent"],
    ):
        assert personne.last_name not in texte, personne
        assert personne.email not in texte, personne
    assert TEXTE_NON_VALIDE not in texte


def test_le_pdf_d_un_rapport_vide(client, conseil, coordonnateur, groupe):
    rapport = preparer(conseil, coordonnateur, annee=ANNEE - 10)
    client.force_login(coordonnateur)

    texte, _ = texte_du_pdf(client.get(url("rapport_pdf", rapport.pk)))

    assert "Aucun indicateur chiffré" in texte
    assert "Préparé" in texte


# Requêtes ------------------------------------------------------------------------------------

PETITE, GRANDE = 1, 8
MAX_REQUETES = 15


def conseil_peuple(taille, coordonnateur, formation_restreinte):
    """Un conseil de ``taille`` groupes, chacun avec une action évaluée, une saisie validée
    avec texte, une réunion et un financement ; le rapport soumis, commenté partout."""
    conseil = ConseilFactory()
    conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=coordonnateur)
    conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=formation_restreinte,
        institution=InstitutionFactory(conseil=conseil),
        qualite="",
        programme=None,
        date_debut=timezone.localdate(),
    )
    axes = [Programme.Axe.JEUNES, Programme.Axe.TRANQUILLITE, Programme.Axe.VICTIMES]
    porteur = InstitutionFactory(conseil=conseil)
    for rang in range(taille):
        groupe = GroupeFactory(conseil=conseil, programme=programme(axes[rang % 3]))
        action = action_de(
            plan_de(groupe, ANNEE), f"Action {rang}", statut=Statut.EN_COURS, porteur=porteur
        )
        evaluation = evaluer(
            action, "annee", beneficiaires="10", solutions_trouvees="4", difficultes=None
        )
        saisir(
            evaluation,
            ANNEE,
            auteur=coordonnateur,
            beneficiaires=rang + 5,
            solutions_trouvees=2,
            difficultes=f"Difficultés du groupe {rang}.",
        )
        ReunionFactory(groupe=groupe, date=jour(2, 2), cree_par=coordonnateur)
        financer(action, Source.FIPD, "1000", "500")
    rapport = soumis(conseil, coordonnateur)
    for partie in selectors.parties_du_rapport(rapport):
        services.rapport_commenter(
            rapport, auteur=formation_restreinte, partie=partie, texte=f"Sur {partie}."
        )
    return rapport


@pytest.mark.parametrize("persona", ["coordonnateur", "formation_restreinte"])
def test_requetes_de_la_page_du_rapport(
    request, client, django_assert_max_num_queries, coordonnateur, formation_restreinte, persona
):
    petit, grand = (
        conseil_peuple(taille, coordonnateur, formation_restreinte) for taille in (PETITE, GRANDE)
    )
    client.force_login(request.getfixturevalue(persona))

    mesures = []
    for rapport in (petit, grand):
        with django_assert_max_num_queries(MAX_REQUETES) as requetes:
            reponse = client.get(rapport.get_absolute_url())
        assert reponse.status_code == 200
        mesures.append(requetes)

    assert len(mesures[0]) == len(mesures[1]), "\n".join(
        q["sql"] for q in mesures[1].captured_queries
    )
    contenu = html(reponse)
    assert contenu.count("Difficultés du groupe") == GRANDE
    assert contenu.count('role="img"') == 1 + 3 + GRANDE  # synthèse, programmes, groupes
    assert contenu.count('name="texte"') == 1 + 3 + GRANDE


@pytest.mark.parametrize("persona", ["coordonnateur", "formation_restreinte"])
def test_requetes_de_la_liste_des_rapports(
    request,
    client,
    django_assert_max_num_queries,
    conseil,
    coordonnateur,
    formation_restreinte,
    persona,
):
    client.force_login(request.getfixturevalue(persona))
    mesures = []
    for taille in (PETITE, GRANDE):
        RapportEvaluation.objects.all().delete()
        for _ in range(taille):
            rapport = soumis(conseil, coordonnateur)
            services.rapport_commenter(
                rapport, auteur=formation_restreinte, partie="synthese", texte="Vu."
            )
            preparer(conseil, coordonnateur)
        with django_assert_max_num_queries(MAX_REQUETES) as requetes:
            reponse = client.get(url("rapports", conseil.pk))
        assert reponse.status_code == 200
        mesures.append(len(requetes))

    assert mesures[0] == mesures[1]
    visibles = GRANDE * (2 if persona == "coordonnateur" else 1)
    assert reponse.context["page_obj"].paginator.count == visibles
    assert html(reponse).count(">Télécharger<") == visibles
