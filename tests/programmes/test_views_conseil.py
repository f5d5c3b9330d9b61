"""Les vues du conseil sur ses programmes d'actions, par le client de test : la synthèse
(filtres, chiffres, actions en retard), les propositions à la formation restreinte et ses
décisions, et le nombre de requêtes de ces pages à deux tailles.

Les exports sont dans ``test_exports.py`` ; les 404 de chaque persona sur chaque URL dans
``tests/test_permissions.py`` (ici, seulement celles des pages du conseil).
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clspd import services as conseil_services
from clspd.models import Programme, Territoire
from programmes import services
from programmes.models import Action, Financement, Proposition
from tests.factories import (
    ConseilFactory,
    GroupeFactory,
    InstitutionFactory,
    TerritoireFactory,
    UtilisateurFactory,
    programme,
)
from tests.groupes.test_requetes import MAX_REQUETES, assert_meme_nombre_de_requetes
from tests.groupes.test_views import erreur_du_champ
from tests.programmes.conftest import (
    ANNEE,
    Source,
    Statut,
    financer,
    jour,
    plan_de,
)

pytestmark = pytest.mark.django_db


def synthese(client, utilisateur, conseil, **filtres):
    client.force_login(utilisateur)
    return client.get(reverse("programmes:conseil", args=[conseil.pk]), filtres)


def espaces_normales(texte):
    """Les séparateurs de milliers (espaces insécables) remplacés par des espaces."""
    return texte.replace("\xa0", " ").replace("\u202f", " ")


def titres(reponse):
    return {action.titre for action in reponse.context["page_obj"]}


# Accès -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["membre", "pilote", "etranger", "autre_conseil"])
def test_pages_du_conseil_fermees_aux_autres(request, client, conseil, donnees, persona):
    client.force_login(request.getfixturevalue(persona))
    services.action_proposer(donnees["permanence"], auteur=UtilisateurFactory())
    proposition = Proposition.objects.get()
    for url in (
        reverse("programmes:conseil", args=[conseil.pk]),
        reverse("programmes:propositions", args=[conseil.pk]),
        reverse("programmes:proposition_statuer", args=[proposition.pk]),
    ):
        assert client.get(url).status_code == 404, url
    reponse = client.post(
        reverse("programmes:proposition_statuer", args=[proposition.pk]), {"decision": "retenue"}
    )
    assert reponse.status_code == 404
    proposition.refresh_from_db()
    assert proposition.est_en_attente


def test_onglets_du_conseil(client, coordonnateur, conseil):
    client.force_login(coordonnateur)
    page = client.get(reverse("groupes:conseil", args=[conseil.pk])).content.decode()
    assert f'href="{reverse("programmes:conseil", args=[conseil.pk])}"' in page
    assert f'href="{reverse("programmes:propositions", args=[conseil.pk])}"' in page
    page = client.get(reverse("programmes:propositions", args=[conseil.pk])).content.decode()
    assert f'href="{reverse("groupes:conseil", args=[conseil.pk])}">Groupes</a>' in page


# Synthèse ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordonnateur", "formation_restreinte"])
def test_synthese_chiffres(request, client, conseil, donnees, zsp, quartier, persona):
    reponse = synthese(client, request.getfixturevalue(persona), conseil)

    assert reponse.status_code == 200
    s = reponse.context["synthese"]
    assert list(s["par_programme"]) == sorted(
        [
            {"programme__nom": programme(Programme.Axe.JEUNES).nom, "nombre": 2},
            {"programme__nom": programme(Programme.Axe.TRANQUILLITE).nom, "nombre": 1},
            {"programme__nom": programme(Programme.Axe.VICTIMES).nom, "nombre": 2},
        ],
        key=lambda ligne: ligne["programme__nom"],
    )
    assert {ligne["libelle"]: ligne["nombre"] for ligne in s["par_statut"]} == {
        "Proposée": 1,
        "Validée": 1,
        "En cours": 1,
        "Terminée": 1,
        "Abandonnée": 1,
    }
    assert {ligne["territoire__nom"]: ligne["nombre"] for ligne in s["par_territoire"]} == {
        None: 2,
        zsp.nom: 2,
        quartier.nom: 1,
    }
    assert [
        (ligne["annee"], ligne["libelle"], ligne["demande"], ligne["accorde"])
        for ligne in s["financements"]
    ] == [
        (ANNEE, "Commune", Decimal("5000"), Decimal("0")),
        (ANNEE, "FIPD", Decimal("13000"), Decimal("11000")),
        (ANNEE - 1, "CAF", Decimal("2000"), Decimal("2500")),
    ]
    # La liste : les cinq actions, avec leurs totaux calculés.
    page = reponse.context["page_obj"]
    assert page.paginator.count == 5
    totaux = {a.titre: (a.total_demande, a.total_accorde) for a in page}
    assert totaux["Chantiers éducatifs"] == (Decimal("15000"), Decimal("8000"))
    assert totaux["Permanence juridique"] == (Decimal("0"), Decimal("0"))
    contenu = reponse.content.decode()
    assert "Action d&#x27;un autre conseil" not in contenu
    assert f'href="{reverse("programmes:action_detail", args=[donnees["chantiers"].pk])}"' in (
        contenu
    )
    # Les montants à la française.
    assert "15 000,00 €" in espaces_normales(contenu)


def test_actions_en_retard(client, coordonnateur, conseil, donnees):
    reponse = synthese(client, coordonnateur, conseil, statut=Statut.EN_COURS)

    # Les actions closes (terminée, abandonnée) et celles dont la fin n'est pas passée ne
    # sont pas comptées, ni l'action en retard d'un autre conseil.
    assert reponse.context["synthese"]["en_retard"] == 1
    contenu = reponse.content.decode()
    assert "1 action en retard : date de fin passée" in contenu
    # Le lien garde les autres filtres.
    lien = "?statut=en_cours&amp;en_retard=1#titre-actions"
    assert f'<a href="{lien}">Ne lister que les actions en retard</a>' in contenu


def test_liste_des_actions_en_retard(client, coordonnateur, conseil, donnees):
    reponse = synthese(client, coordonnateur, conseil, en_retard="1")

    assert titres(reponse) == {"Chantiers éducatifs"}
    assert reponse.context["synthese"]["nombre"] == reponse.context["synthese"]["en_retard"] == 1
    # La liste ne montre déjà qu'elles : pas de lien vers elle-même.
    assert reponse.context["lien_en_retard"] is None
    assert "Ne lister que les actions en retard" not in reponse.content.decode()


def test_actions_en_retard_toutes_listees(client, settings, coordonnateur, conseil, groupe):
    settings.PAGINATION = 10
    plan = plan_de(groupe)
    Action.objects.bulk_create(
        Action(
            plan=plan,
            titre=f"Retard {i:02d}",
            programme=programme(),
            statut=Statut.PROPOSEE,
            date_debut=jour(-100),
            # La dernière finit aujourd'hui : pas encore en retard.
            date_fin=jour(-i),
        )
        for i in range(26)
    )
    reponse = synthese(client, coordonnateur, conseil, en_retard="1", page="3")

    assert reponse.context["synthese"]["en_retard"] == 25
    assert reponse.context["page_obj"].paginator.count == 25
    assert len(reponse.context["page_obj"].object_list) == 5
    assert "Retard 00" not in {a.titre for a in reponse.context["page_obj"].paginator.object_list}


def filtres(zsp):
    return {
        "programme": lambda: {"programme": programme(Programme.Axe.VICTIMES).pk},
        "statut": lambda: {"statut": Statut.EN_COURS},
        "territoire": lambda: {"territoire": zsp.pk},
        "annee": lambda: {"annee": ANNEE},
        "annee-et-statut": lambda: {"annee": ANNEE, "statut": Statut.ABANDONNEE},
        "en-retard-et-territoire": lambda: {"en_retard": "1", "territoire": zsp.pk},
    }


ATTENDU = {
    "programme": {"Accueil des victimes", "Permanence juridique"},
    "statut": {"Chantiers éducatifs"},
    "territoire": {"Chantiers éducatifs", "Permanence juridique"},
    "annee": {"Chantiers éducatifs", "Médiation nocturne", "Atelier abandonné"},
    "annee-et-statut": {"Atelier abandonné"},
    "en-retard-et-territoire": {"Chantiers éducatifs"},
}


@pytest.mark.parametrize("filtre", ATTENDU)
def test_synthese_filtree(client, formation_restreinte, conseil, donnees, zsp, filtre):
    parametres = filtres(zsp)[filtre]()
    reponse = synthese(client, formation_restreinte, conseil, **parametres)

    assert reponse.status_code == 200
    assert titres(reponse) == ATTENDU[filtre]
    # Chaque section suit les mêmes filtres.
    s = reponse.context["synthese"]
    assert sum(ligne["nombre"] for ligne in s["par_statut"]) == len(ATTENDU[filtre])
    assert sum(ligne["nombre"] for ligne in s["par_programme"]) == len(ATTENDU[filtre])
    assert sum(ligne["nombre"] for ligne in s["par_territoire"]) == len(ATTENDU[filtre])
    # Le nombre d'actions de la liste vient du même décompte, sans COUNT à part.
    assert s["nombre"] == reponse.context["page_obj"].paginator.count == len(ATTENDU[filtre])
    # Les liens d'export reprennent les filtres.
    for url, _ in reponse.context["liens_export"]:
        for cle, valeur in parametres.items():
            assert f"{cle}={valeur}" in url


def test_synthese_filtre_financements_par_programme(client, coordonnateur, conseil, donnees):
    reponse = synthese(
        client, coordonnateur, conseil, programme=programme(Programme.Axe.VICTIMES).pk
    )
    assert [
        (ligne["libelle"], ligne["demande"])
        for ligne in reponse.context["synthese"]["financements"]
    ] == [("CAF", Decimal("2000"))]


@pytest.mark.parametrize(
    "parametres",
    [
        {"programme": "abc", "statut": "nimporte", "territoire": "x", "annee": "deux-mille"},
        {"programme": "999999", "territoire": "999999", "annee": "1999"},
        {"annee": "99999999999999999999999"},
        {"statut": ["en_cours", "'; DROP TABLE"], "page": "beaucoup"},
        {"en_retard": "oui"},
    ],
)
def test_filtre_invalide_ignore(client, coordonnateur, conseil, donnees, parametres):
    reponse = synthese(client, coordonnateur, conseil, **parametres)

    assert reponse.status_code == 200
    assert len(titres(reponse)) == 5
    assert reponse.context["filtre"].errors


def test_filtre_d_un_territoire_d_un_autre_conseil_ignore(client, coordonnateur, conseil, donnees):
    ailleurs = TerritoireFactory(nom="Territoire d'ailleurs")
    reponse = synthese(client, coordonnateur, conseil, territoire=ailleurs.pk)

    assert reponse.status_code == 200
    assert len(titres(reponse)) == 5
    assert "territoire" in reponse.context["filtre"].errors


@pytest.mark.parametrize(("page", "numero", "lignes"), [("2", 2, 2), ("99", 3, 1), ("x", 1, 2)])
def test_synthese_paginee(client, settings, coordonnateur, conseil, donnees, page, numero, lignes):
    settings.PAGINATION = 2
    reponse = synthese(client, coordonnateur, conseil, page=page)

    page_obj = reponse.context["page_obj"]
    assert (page_obj.number, len(page_obj.object_list)) == (numero, lignes)
    assert page_obj.paginator.num_pages == 3
    assert "5 actions" in reponse.content.decode()


def test_synthese_vide(client, formation_restreinte, conseil):
    reponse = synthese(client, formation_restreinte, conseil)

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Aucune action ne correspond à ces critères." in contenu
    assert "Aucune action en retard." in contenu
    assert "Aucune ligne de financement." in contenu


# Propositions à la formation restreinte -----------------------------------------------------


@pytest.fixture
def proposition(donnees, pilote):
    """« Permanence juridique », sans porteur, proposée par le pilote."""
    action = donnees["permanence"]
    financer(action, Source.FIPD, "4000")
    return services.action_proposer(action, auteur=pilote, expose="Une permanence par semaine.")


@pytest.fixture
def proposition_portee(proposition, institution):
    Action.objects.filter(pk=proposition.action_id).update(porteur=institution)
    return proposition


def statuer(client, utilisateur, proposition, **donnees):
    client.force_login(utilisateur)
    return client.post(
        reverse("programmes:proposition_statuer", args=[proposition.pk]),
        {"commentaire": "", "financement_accorde": "", **donnees},
    )


def etat(proposition):
    proposition.refresh_from_db()
    proposition.action.refresh_from_db()
    return proposition.decision, proposition.action.statut


def test_statuer_page(client, formation_restreinte, proposition_portee, institution):
    client.force_login(formation_restreinte)
    reponse = client.get(reverse("programmes:proposition_statuer", args=[proposition_portee.pk]))

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "<h1>Proposition : Permanence juridique</h1>" in contenu
    assert "Une permanence par semaine." in contenu
    assert institution.nom in contenu
    assert "4 000,00 €" in espaces_normales(contenu)
    assert 'name="decision"' in contenu


@pytest.mark.parametrize("persona", ["formation_restreinte", "coordonnateur"])
def test_statuer_retenue(request, client, conseil, proposition_portee, persona):
    utilisateur = request.getfixturevalue(persona)
    reponse = statuer(
        client, utilisateur, proposition_portee, decision="retenue", financement_accorde="3500"
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("programmes:propositions", args=[conseil.pk])
    assert etat(proposition_portee) == ("retenue", Statut.VALIDEE)
    assert proposition_portee.decidee_par == utilisateur
    assert proposition_portee.financement_accorde == Decimal("3500")
    page = client.get(reponse["Location"]).content.decode()
    assert escape("Décision enregistrée pour « Permanence juridique » : retenue.") in page


def test_statuer_retenue_sans_porteur(client, formation_restreinte, proposition):
    reponse = statuer(client, formation_restreinte, proposition, decision="retenue")

    assert reponse.status_code == 200
    assert reponse.context["form"].non_field_errors() == [
        "Désignez l'institution porteuse avant de valider l'action."
    ]
    assert escape("Désignez l'institution porteuse avant de valider l'action.") in (
        reponse.content.decode()
    )
    assert etat(proposition) == ("en_attente", Statut.PROPOSEE)


def test_statuer_refusee(client, formation_restreinte, proposition):
    reponse = statuer(client, formation_restreinte, proposition, decision="refusee")

    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "commentaire") == "Expliquez la décision au groupe."
    assert etat(proposition) == ("en_attente", Statut.PROPOSEE)

    reponse = statuer(
        client, formation_restreinte, proposition, decision="refusee", commentaire="Hors champ."
    )
    assert reponse.status_code == 302
    assert etat(proposition) == ("refusee", Statut.ABANDONNEE)
    assert proposition.commentaire == "Hors champ."


def test_statuer_a_revoir_puis_proposer_de_nouveau(
    client, formation_restreinte, conseil, proposition, pilote
):
    reponse = statuer(client, formation_restreinte, proposition, decision="a_revoir")
    assert erreur_du_champ(reponse, "commentaire") == "Expliquez la décision au groupe."

    reponse = statuer(
        client,
        formation_restreinte,
        proposition,
        decision="a_revoir",
        commentaire="Précisez le public visé.",
    )
    assert reponse.status_code == 302
    assert etat(proposition) == ("a_revoir", Statut.PROPOSEE)

    nouvelle = services.action_proposer(
        proposition.action, auteur=pilote, expose="Public : victimes de violences conjugales."
    )
    page = client.get(reverse("programmes:propositions", args=[conseil.pk]))
    # La nouvelle, en attente, d'abord ; puis la décision « à revoir » et son commentaire.
    assert [p.pk for p in page.context["page_obj"]] == [nouvelle.pk, proposition.pk]
    contenu = page.content.decode()
    assert reverse("programmes:proposition_statuer", args=[nouvelle.pk]) in contenu
    assert reverse("programmes:proposition_statuer", args=[proposition.pk]) not in contenu
    assert "Précisez le public visé." in contenu
    # La page de la nouvelle rappelle la décision précédente.
    contenu = client.get(
        reverse("programmes:proposition_statuer", args=[nouvelle.pk])
    ).content.decode()
    assert "Propositions précédentes de cette action" in contenu
    assert "Précisez le public visé." in contenu


@pytest.mark.parametrize(
    "donnees_envoyees, champ, message",
    [
        (
            {"decision": "retenue", "financement_accorde": "-1"},
            "financement_accorde",
            "Assurez-vous que cette valeur est supérieure ou égale à 0.",
        ),
        (
            {"decision": "retenue", "financement_accorde": "beaucoup"},
            "financement_accorde",
            "Saisissez un nombre.",
        ),
        (
            {"decision": "refusee", "commentaire": "Non.", "financement_accorde": "100"},
            "financement_accorde",
            "Seule une proposition retenue reçoit un financement.",
        ),
        ({"decision": "en_attente"}, "decision", "Sélectionnez un choix valide."),
        ({}, "decision", "Ce champ est obligatoire."),
    ],
)
def test_statuer_refuse_une_saisie_invalide(
    client, formation_restreinte, proposition_portee, donnees_envoyees, champ, message
):
    reponse = statuer(client, formation_restreinte, proposition_portee, **donnees_envoyees)

    assert reponse.status_code == 200
    erreurs = reponse.context["form"].errors[champ]
    assert any(erreur.startswith(message) for erreur in erreurs), erreurs
    assert escape(erreurs[0]) in reponse.content.decode()
    assert etat(proposition_portee) == ("en_attente", Statut.PROPOSEE)


def test_statuer_deux_fois(client, formation_restreinte, coordonnateur, proposition_portee):
    statuer(client, formation_restreinte, proposition_portee, decision="retenue")
    avant = etat(proposition_portee)
    decidee_le = proposition_portee.decidee_le

    reponse = statuer(
        client, coordonnateur, proposition_portee, decision="refusee", commentaire="Non."
    )

    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert escape("La formation restreinte a déjà statué sur cette proposition.") in contenu
    assert 'name="decision"' not in contenu  # plus de formulaire
    assert etat(proposition_portee) == avant == ("retenue", Statut.VALIDEE)
    assert proposition_portee.decidee_par == formation_restreinte
    assert proposition_portee.decidee_le == decidee_le
    # Une simple lecture montre la décision, sans formulaire.
    page = client.get(reverse("programmes:proposition_statuer", args=[proposition_portee.pk]))
    assert "<strong>Retenue</strong>" in page.content.decode()
    assert 'name="decision"' not in page.content.decode()


def test_propositions_en_attente_d_abord(client, formation_restreinte, conseil, donnees, pilote):
    anciennes = []
    for cle in ("permanence", "atelier"):
        Action.objects.filter(pk=donnees[cle].pk).update(statut=Statut.PROPOSEE)
        anciennes.append(services.action_proposer(donnees[cle], auteur=pilote))
    Action.objects.filter(pk=donnees["permanence"].pk).update(porteur=donnees["chantiers"].porteur)
    services.proposition_statuer(
        anciennes[0], auteur=formation_restreinte, decision="retenue", financement_accorde=10
    )
    client.force_login(formation_restreinte)

    reponse = client.get(reverse("programmes:propositions", args=[conseil.pk]))

    assert [p.pk for p in reponse.context["page_obj"]] == [anciennes[1].pk, anciennes[0].pk]
    contenu = reponse.content.decode()
    assert "10,00 €" in contenu
    assert str(formation_restreinte) in contenu


# Nombre de requêtes ---------------------------------------------------------------------------


def conseil_peuple(taille, *, coordonnateur, formation_restreinte):
    """Un conseil de deux groupes et ``taille`` actions (deux lignes de financement et une
    proposition chacune, une sur deux tranchée), la moitié en retard."""
    conseil = ConseilFactory(nom=f"CLSPD de {taille} actions")
    conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=coordonnateur)
    conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=formation_restreinte,
        institution=None,
        qualite="",
        programme=None,
        date_debut=timezone.localdate(),
    )
    territoire = TerritoireFactory(conseil=conseil, type=Territoire.Type.QPV)
    porteur = InstitutionFactory(conseil=conseil)
    proposant = UtilisateurFactory()
    programmes = [programme(axe) for axe in list(Programme.Axe)[:3]]
    plans = [plan_de(GroupeFactory(conseil=conseil)) for _ in range(2)]
    actions = Action.objects.bulk_create(
        Action(
            plan=plans[i % 2],
            titre=f"Action {i:02d}",
            programme=programmes[i % 3],
            statut=[Statut.PROPOSEE, Statut.EN_COURS][i % 2],
            porteur=porteur,
            territoire=territoire if i % 2 else None,
            date_debut=jour(-100),
            date_fin=jour(-1 if i % 2 else 30),
        )
        for i in range(taille)
    )
    Financement.objects.bulk_create(
        Financement(action=action, source=source, montant_demande=100, montant_accorde=50)
        for action in actions
        for source in (Source.FIPD, Source.CAF)
    )
    Proposition.objects.bulk_create(
        Proposition(
            action=action,
            proposee_par=proposant,
            **(
                {
                    "decision": "refusee",
                    "commentaire": "Non.",
                    "decidee_par": formation_restreinte,
                    "decidee_le": timezone.now(),
                }
                if i % 2
                else {}
            ),
        )
        for i, action in enumerate(actions)
    )
    return conseil


@pytest.mark.parametrize("filtre", ["sans-filtre", "tous-les-filtres"])
@pytest.mark.parametrize("page", ["programmes:conseil", "programmes:propositions"])
def test_nombre_de_requetes(
    client, django_assert_max_num_queries, coordonnateur, formation_restreinte, page, filtre
):
    petit, grand = (
        conseil_peuple(
            taille, coordonnateur=coordonnateur, formation_restreinte=formation_restreinte
        )
        for taille in (4, 30)
    )
    client.force_login(formation_restreinte)

    def mesurer(conseil):
        parametres = {}
        if filtre == "tous-les-filtres":
            parametres = {
                "programme": programme().pk,
                "statut": Statut.EN_COURS,
                "territoire": conseil.territoires.get().pk,
                "annee": ANNEE,
            }
        with django_assert_max_num_queries(MAX_REQUETES) as requetes:
            reponse = client.get(reverse(page, args=[conseil.pk]), parametres)
        assert reponse.status_code == 200
        return reponse, requetes

    _, requetes_petit = mesurer(petit)
    reponse, requetes_grand = mesurer(grand)

    assert_meme_nombre_de_requetes(requetes_petit, requetes_grand)
    if page == "programmes:propositions":
        assert reponse.context["page_obj"].paginator.count == 30
        assert len(reponse.content.decode().split(">Statuer<")) - 1 == 15
    elif filtre == "sans-filtre":
        assert reponse.context["page_obj"].paginator.count == 30
        assert reponse.context["synthese"]["en_retard"] == 15
        assert reponse.context["synthese"]["financements"][0]["demande"] == Decimal("3000")
    else:
        # Actions impaires (en cours, sur le territoire) du premier programme : i % 6 == 3.
        assert reponse.context["page_obj"].paginator.count == 5
