"""Les vues des groupes : accueil, synthèse d'un conseil, fiche d'un groupe, formulaires
du coordonnateur. Une saisie refusée affiche l'erreur française sous son champ et
n'écrit rien ; un objet hors de portée répond 404."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.html import escape

from clspd.models import Programme, Territoire, Utilisateur
from groupes import services
from groupes.models import Appartenance, DesignationPilote, GroupeOperationnel
from tests.factories import (
    GroupeFactory,
    InstitutionFactory,
    TerritoireFactory,
    UtilisateurFactory,
    programme,
)

Nature = GroupeOperationnel.Nature
CHOIX_INVALIDE = "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."


def jour(decalage=0):
    return (timezone.localdate() + datetime.timedelta(days=decalage)).isoformat()


def erreur_du_champ(reponse, champ):
    """Le texte de l'erreur affichée sous le champ, qui doit être marqué invalide."""
    html = reponse.content.decode()
    assert re.search(rf'<(input|select|textarea)[^>]*is-invalid[^>]*id="id_{champ}"', html), (
        f"le champ {champ} n'est pas marqué invalide"
    )
    trouve = re.search(rf'id="error_1_id_{champ}"><strong>(.*?)</strong>', html)
    assert trouve, f"aucune erreur sous le champ {champ}"
    return trouve.group(1)


def ligne(reponse, texte):
    """La ligne du tableau qui contient le texte."""
    for rangee in re.findall(r"<tr>.*?</tr>", reponse.content.decode(), re.S):
        if texte in rangee:
            return rangee
    raise AssertionError(f"aucune ligne ne contient {texte}")


def noms(reponse):
    return [groupe.nom for groupe in reponse.context["page_obj"]]


@pytest.fixture
def groupe_ailleurs(autre_conseil):
    return GroupeOperationnel.objects.get(nom="Groupe d'Ailleurs")


# Créer et modifier un groupe ------------------------------------------------------------


def formulaire_groupe(**champs):
    return {
        "nom": "Violences intrafamiliales",
        "nature": Nature.THEMATIQUE,
        "programme": programme(Programme.Axe.VICTIMES).pk,
        "territoire": "",
        "description": "Coordonner l'accueil des victimes.",
        "actif": "on",
        **champs,
    }


def test_groupe_creer_page(client, coordonnateur, conseil, zsp):
    client.force_login(coordonnateur)
    reponse = client.get(f"/conseils/{conseil.pk}/groupes/nouveau/")
    assert reponse.status_code == 200
    assert "ZSP du Centre" in reponse.content.decode()


def test_groupe_creer(client, coordonnateur, conseil):
    client.force_login(coordonnateur)
    reponse = client.post(f"/conseils/{conseil.pk}/groupes/nouveau/", formulaire_groupe())
    groupe = GroupeOperationnel.objects.get(nom="Violences intrafamiliales")
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/groupes/{groupe.pk}/"
    assert (groupe.conseil, groupe.programme.axe) == (conseil, Programme.Axe.VICTIMES)
    page = client.get(reponse["Location"]).content.decode()
    assert escape("Le groupe « Violences intrafamiliales » est créé.") in page


def test_groupe_creer_ccop_sur_une_zsp(client, coordonnateur, conseil, zsp):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/conseils/{conseil.pk}/groupes/nouveau/",
        formulaire_groupe(
            nom="CCOP du Centre", nature=Nature.CCOP, programme="", territoire=zsp.pk
        ),
    )
    assert reponse.status_code == 302
    assert GroupeOperationnel.objects.get(nom="CCOP du Centre").territoire == zsp


@pytest.mark.parametrize(
    ("champs", "champ", "message"),
    [
        (
            {"nature": Nature.CCOP, "territoire": "qpv"},
            "territoire",
            "Une CCOP est rattachée à une zone de sécurité prioritaire (ZSP).",
        ),
        ({"nature": Nature.TERRITORIAL}, "territoire", "Choisissez le territoire du groupe."),
        (
            {"nature": Nature.TERRITORIAL, "programme": ""},
            "programme",
            "Choisissez le programme auquel le groupe est consacré.",
        ),
        ({"nature": Nature.CCOP, "territoire": "ailleurs"}, "territoire", CHOIX_INVALIDE),
        ({"territoire": "999999"}, "territoire", CHOIX_INVALIDE),
        ({"nom": "Groupe jeunes de Testville"}, "nom", "Ce conseil a déjà un groupe de ce nom."),
        ({"nom": ""}, "nom", "Ce champ est obligatoire."),
    ],
)
def test_groupe_creer_refuse(client, coordonnateur, conseil, groupe, champs, champ, message):
    if champs.get("territoire") == "qpv":
        champs["territoire"] = TerritoireFactory(conseil=conseil, type=Territoire.Type.QPV).pk
    elif champs.get("territoire") == "ailleurs":
        champs["territoire"] = TerritoireFactory(type=Territoire.Type.ZSP).pk
    avant = GroupeOperationnel.objects.count()
    client.force_login(coordonnateur)
    reponse = client.post(f"/conseils/{conseil.pk}/groupes/nouveau/", formulaire_groupe(**champs))
    assert reponse.status_code == 200
    assert escape(message) in reponse.content.decode()
    assert erreur_du_champ(reponse, champ) == escape(message)
    assert GroupeOperationnel.objects.count() == avant


def test_groupe_modifier(client, coordonnateur, groupe, zsp):
    client.force_login(coordonnateur)
    url = f"/groupes/{groupe.pk}/modifier/"
    assert client.get(url).status_code == 200
    reponse = client.post(
        url,
        formulaire_groupe(
            nom="CCOP du Centre", nature=Nature.CCOP, programme="", territoire=zsp.pk
        ),
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/groupes/{groupe.pk}/"
    groupe.refresh_from_db()
    assert (groupe.nom, groupe.nature, groupe.territoire, groupe.programme) == (
        "CCOP du Centre",
        Nature.CCOP,
        zsp,
        None,
    )


def test_groupe_modifier_refuse(client, coordonnateur, conseil, groupe):
    quartier = TerritoireFactory(conseil=conseil, type=Territoire.Type.QUARTIER)
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/groupes/{groupe.pk}/modifier/",
        formulaire_groupe(nom="Nouveau nom", nature=Nature.CCOP, territoire=quartier.pk),
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "territoire") == (
        "Une CCOP est rattachée à une zone de sécurité prioritaire (ZSP)."
    )
    groupe.refresh_from_db()
    assert (groupe.nom, groupe.nature, groupe.territoire) == (
        "Groupe jeunes de Testville",
        Nature.THEMATIQUE,
        None,
    )


# Membres --------------------------------------------------------------------------------


def formulaire_membre(institution, **champs):
    return {
        "email": "karim.nouveau@exemple.fr",
        "first_name": "Karim",
        "last_name": "Nouveau",
        "fonction": "Éducateur spécialisé",
        "institution": institution.pk,
        "role": Appartenance.Role.MEMBRE,
        "date_debut": jour(),
        **champs,
    }


def test_membre_ajouter_une_personne_existante(
    client, coordonnateur, groupe, etranger, institution, django_capture_on_commit_callbacks
):
    client.force_login(coordonnateur)
    assert client.get(f"/groupes/{groupe.pk}/membres/ajouter/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            f"/groupes/{groupe.pk}/membres/ajouter/",
            formulaire_membre(institution, email="ETRANGER@testville.fr", role="invite"),
        )
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/groupes/{groupe.pk}/"
    appartenance = groupe.appartenances.actives().get(utilisateur=etranger)
    assert appartenance.role == Appartenance.Role.INVITE
    assert mail.outbox == []
    client.force_login(etranger)
    assert client.get(f"/groupes/{groupe.pk}/").status_code == 200


def test_membre_ajouter_une_personne_invitee(
    client, coordonnateur, groupe, institution, django_capture_on_commit_callbacks
):
    client.force_login(coordonnateur)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            f"/groupes/{groupe.pk}/membres/ajouter/", formulaire_membre(institution)
        )
    assert reponse.status_code == 302
    invite = Utilisateur.objects.get(email="karim.nouveau@exemple.fr")
    assert not invite.is_active
    assert groupe.appartenances.actives().filter(utilisateur=invite).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["karim.nouveau@exemple.fr"]
    page = client.get(reponse["Location"]).content.decode()
    assert "Une invitation à activer son compte lui a été envoyée." in page
    assert "Karim Nouveau" in page


@pytest.mark.parametrize(
    ("champs", "champ", "message"),
    [
        ({"email": "membre@testville.fr"}, "email", "Cette personne est déjà membre du groupe."),
        ({"date_debut": jour(1)}, "date_debut", "La date de début ne peut pas être future."),
        (
            {"role": "pilote"},
            "role",
            "Sélectionnez un choix valide. pilote n’en fait pas partie.",
        ),
        ({"email": "pas-une-adresse"}, "email", "Saisissez une adresse de courriel valide."),
        ({"institution": "ailleurs"}, "institution", CHOIX_INVALIDE),
    ],
)
def test_membre_ajouter_refuse(
    client,
    coordonnateur,
    groupe,
    membre,
    institution,
    champs,
    champ,
    message,
    django_capture_on_commit_callbacks,
):
    if champs.get("institution") == "ailleurs":
        champs["institution"] = InstitutionFactory().pk
    avant = (Utilisateur.objects.count(), Appartenance.objects.count())
    client.force_login(coordonnateur)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            f"/groupes/{groupe.pk}/membres/ajouter/", {**formulaire_membre(institution), **champs}
        )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, champ) == escape(message)
    assert (Utilisateur.objects.count(), Appartenance.objects.count()) == avant
    assert mail.outbox == []


def test_membre_retirer(client, coordonnateur, groupe, membre):
    appartenance = groupe.appartenances.actives().get(utilisateur=membre)
    client.force_login(coordonnateur)
    url = f"/groupes/{groupe.pk}/membres/{appartenance.pk}/retirer/"
    assert client.get(url).status_code == 200
    reponse = client.post(url, {"date_fin": jour()})
    assert reponse.status_code == 302
    appartenance.refresh_from_db()
    assert appartenance.date_fin == timezone.localdate()
    # La fiche du groupe le range parmi les anciens membres ; l'appartenance close ne se
    # retire plus ; le membre n'a plus accès.
    page = client.get(f"/groupes/{groupe.pk}/").content.decode()
    assert "Anciens membres" in page
    assert client.get(url).status_code == 404
    client.force_login(membre)
    assert client.get(f"/groupes/{groupe.pk}/").status_code == 404


def test_membre_retirer_a_une_date_future(client, coordonnateur, groupe, membre):
    appartenance = groupe.appartenances.actives().get(utilisateur=membre)
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/groupes/{groupe.pk}/membres/{appartenance.pk}/retirer/", {"date_fin": jour(1)}
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "date_fin") == "La date de fin ne peut pas être future."
    appartenance.refresh_from_db()
    assert appartenance.date_fin is None


def test_membre_retirer_l_appartenance_d_un_autre_groupe(client, coordonnateur, groupe, etranger):
    appartenance = Appartenance.objects.get(utilisateur=etranger)
    client.force_login(coordonnateur)
    url = f"/groupes/{groupe.pk}/membres/{appartenance.pk}/retirer/"
    assert client.post(url, {"date_fin": jour()}).status_code == 404
    appartenance.refresh_from_db()
    assert appartenance.date_fin is None


# Pilote ---------------------------------------------------------------------------------


def test_pilote_designer(client, coordonnateur, groupe, pilote, membre):
    client.force_login(coordonnateur)
    url = f"/groupes/{groupe.pk}/pilote/"
    assert client.get(url).status_code == 200
    reponse = client.post(
        url,
        {
            "pilote": membre.pk,
            "date_designation": jour(),
            "accord_maire_le": jour(-2),
            "accord_prefet_le": jour(-1),
        },
    )
    assert reponse.status_code == 302
    assert groupe.designations.get(date_fin__isnull=True).pilote == membre
    assert groupe.appartenances.actives().get(utilisateur=pilote).role == "membre"
    # L'historique garde l'ancien pilote, avec la fin de sa désignation.
    historique = client.get(url)
    aujourdhui = timezone.localdate().strftime("%d/%m/%Y")
    assert f"<td>{aujourdhui}</td>" in ligne(historique, f">{escape(str(pilote))}<")
    assert "en cours" not in ligne(historique, f">{escape(str(pilote))}<")
    assert "en cours" in ligne(historique, f">{escape(str(membre))}<")


def test_pilote_designer_sans_les_accords(client, coordonnateur, groupe, membre):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/groupes/{groupe.pk}/pilote/", {"pilote": membre.pk, "date_designation": jour()}
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "accord_maire_le") == "Ce champ est obligatoire."
    assert erreur_du_champ(reponse, "accord_prefet_le") == "Ce champ est obligatoire."
    assert not DesignationPilote.objects.exists()


def test_pilote_designer_hors_des_membres(client, coordonnateur, groupe, membre, etranger):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/groupes/{groupe.pk}/pilote/",
        {
            "pilote": etranger.pk,
            "date_designation": jour(),
            "accord_maire_le": jour(),
            "accord_prefet_le": jour(),
        },
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "pilote") == CHOIX_INVALIDE
    assert not DesignationPilote.objects.exists()


def test_pilote_designer_accords_apres_la_designation(client, coordonnateur, groupe, membre):
    client.force_login(coordonnateur)
    reponse = client.post(
        f"/groupes/{groupe.pk}/pilote/",
        {
            "pilote": membre.pk,
            "date_designation": jour(-3),
            "accord_maire_le": jour(-1),
            "accord_prefet_le": jour(-4),
        },
    )
    assert reponse.status_code == 200
    assert erreur_du_champ(reponse, "accord_maire_le") == escape(
        "L'accord du maire précède la désignation."
    )
    assert not DesignationPilote.objects.exists()


# Synthèse du conseil : filtres et pagination ---------------------------------------------


@pytest.fixture
def groupes_varies(conseil, groupe, autre_groupe, zsp):
    """Cinq groupes : deux thématiques « jeunes » (les personas), une CCOP, un territorial
    « victimes », un thématique « tranquillité » inactif."""
    quartier = TerritoireFactory(conseil=conseil, nom="Les Tilleuls")
    GroupeFactory(
        conseil=conseil, nom="CCOP du Centre", nature=Nature.CCOP, programme=None, territoire=zsp
    )
    GroupeFactory(
        conseil=conseil,
        nom="Violences aux Tilleuls",
        nature=Nature.TERRITORIAL,
        programme=programme(Programme.Axe.VICTIMES),
        territoire=quartier,
    )
    GroupeFactory(
        conseil=conseil,
        nom="Ancienne cellule tranquillité",
        actif=False,
        programme=programme(Programme.Axe.TRANQUILLITE),
    )
    return {"zsp": zsp, "quartier": quartier}


TOUS = [
    "CCOP du Centre",
    "Groupe jeunes de Testville",
    "Groupe tranquillité de Testville",
    "Violences aux Tilleuls",
    "Ancienne cellule tranquillité",  # les inactifs en dernier
]


@pytest.mark.parametrize(
    ("filtre", "attendus"),
    [
        ("", TOUS),
        ("nature=ccop", ["CCOP du Centre"]),
        (
            "nature=thematique",
            [
                "Groupe jeunes de Testville",
                "Groupe tranquillité de Testville",
                "Ancienne cellule tranquillité",
            ],
        ),
        ("programme={victimes}", ["Violences aux Tilleuls"]),
        ("territoire={zsp}", ["CCOP du Centre"]),
        ("territoire={quartier}", ["Violences aux Tilleuls"]),
        ("actif=non", ["Ancienne cellule tranquillité"]),
        ("actif=oui", TOUS[:4]),
        ("nature=thematique&actif=oui", TOUS[1:3]),
        ("nature=thematique&programme={victimes}", []),
    ],
)
def test_synthese_filtres(client, coordonnateur, conseil, groupes_varies, filtre, attendus):
    client.force_login(coordonnateur)
    filtre = filtre.format(
        victimes=programme(Programme.Axe.VICTIMES).pk,
        zsp=groupes_varies["zsp"].pk,
        quartier=groupes_varies["quartier"].pk,
    )
    reponse = client.get(f"/conseils/{conseil.pk}/?{filtre}")
    assert reponse.status_code == 200
    assert noms(reponse) == attendus
    page = reponse.content.decode()
    for nom in TOUS:
        assert (f">{escape(nom)}</a>" in page) is (nom in attendus)
    if not attendus:
        assert "Aucun groupe ne correspond à ces critères." in page


@pytest.mark.parametrize(
    ("filtre", "attendus"),
    [
        ("programme=abc", TOUS),
        ("territoire=999999", TOUS),
        ("territoire={ailleurs}", TOUS),
        ("nature=inconnue", TOUS),
        ("actif=peut-etre", TOUS),
        ("programme=-1&territoire=abc", TOUS),
        # Une valeur invalide n'annule pas les autres filtres.
        ("nature=ccop&programme=abc", ["CCOP du Centre"]),
    ],
)
def test_synthese_filtres_invalides(
    client, coordonnateur, conseil, groupes_varies, filtre, attendus
):
    ailleurs = TerritoireFactory(type=Territoire.Type.ZSP)
    client.force_login(coordonnateur)
    reponse = client.get(f"/conseils/{conseil.pk}/?{filtre.format(ailleurs=ailleurs.pk)}")
    assert reponse.status_code == 200
    assert noms(reponse) == attendus


@pytest.mark.parametrize(
    ("page", "numero"),
    [("1", 1), ("2", 2), ("3", 3), ("abc", 1), ("9999", 3), ("0", 3), ("-1", 3), ("", 1)],
)
def test_synthese_pagination(
    client, settings, coordonnateur, conseil, groupes_varies, page, numero
):
    settings.PAGINATION = 2
    client.force_login(coordonnateur)
    reponse = client.get(f"/conseils/{conseil.pk}/", {"page": page})
    assert reponse.status_code == 200
    assert reponse.context["page_obj"].number == numero
    assert noms(reponse) == TOUS[2 * (numero - 1) : 2 * numero]
    assert f"Page {numero} sur 3" in reponse.content.decode()


def test_synthese_pagination_garde_les_filtres(
    client, settings, coordonnateur, conseil, groupes_varies
):
    settings.PAGINATION = 2
    client.force_login(coordonnateur)
    reponse = client.get(f"/conseils/{conseil.pk}/", {"nature": "thematique", "page": "2"})
    assert noms(reponse) == ["Ancienne cellule tranquillité"]
    assert 'href="?nature=thematique&amp;page=1"' in reponse.content.decode()


# Accueil : « Mes groupes » --------------------------------------------------------------


def test_accueil_mes_groupes(client, membre, groupe, autre_groupe):
    client.force_login(membre)
    reponse = client.get("/")
    assert reponse.status_code == 200
    assert [a.groupe for a in reponse.context["appartenances"]] == [groupe]
    page = reponse.content.decode()
    assert f'href="/groupes/{groupe.pk}/"' in page
    assert escape(autre_groupe.nom) not in page
    assert "Mes conseils" not in page


def test_accueil_groupe_quitte_disparait(client, membre, groupe):
    services.membre_retirer(groupe.appartenances.actives().get(utilisateur=membre))
    client.force_login(membre)
    reponse = client.get("/")
    assert reponse.status_code == 200
    assert list(reponse.context["appartenances"]) == []
    page = reponse.content.decode()
    assert escape(groupe.nom) not in page
    assert "Vous ne faites actuellement partie d'aucun groupe opérationnel." in page


def test_accueil_du_coordonnateur_mene_a_son_conseil(client, coordonnateur, conseil, groupe):
    client.force_login(coordonnateur)
    page = client.get("/").content.decode()
    assert f'href="/conseils/{conseil.pk}/"' in page
    assert escape(groupe.nom) not in page  # il n'en est pas membre


# Fiche d'un groupe et synthèse, selon la persona -----------------------------------------


def test_membre_voit_la_fiche_du_groupe(client, membre, pilote, groupe, institution):
    client.force_login(membre)
    reponse = client.get(f"/groupes/{groupe.pk}/")
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert escape(str(pilote)) in ligne(reponse, "Pilote")
    assert escape(institution.nom) in ligne(reponse, escape(str(membre)))
    assert "2 membres actuels" in page
    # Ni les actions du coordonnateur, ni les anciens membres, ni le lien vers le conseil.
    assert "Modifier le groupe" not in page
    assert "Anciens membres" not in page
    assert f'href="/conseils/{groupe.conseil_id}/"' not in page


def test_coordonnateur_voit_les_actions_sur_le_groupe(client, coordonnateur, membre, groupe):
    client.force_login(coordonnateur)
    page = client.get(f"/groupes/{groupe.pk}/").content.decode()
    assert "Modifier le groupe" in page
    appartenance = groupe.appartenances.get(utilisateur=membre)
    assert f'href="/groupes/{groupe.pk}/membres/{appartenance.pk}/retirer/"' in page


def test_formation_restreinte_voit_la_synthese_sans_le_contenu(
    client, formation_restreinte, conseil, groupe, pilote, membre, institution
):
    client.force_login(formation_restreinte)
    reponse = client.get(f"/conseils/{conseil.pk}/")
    assert reponse.status_code == 200
    rangee = ligne(reponse, groupe.nom)
    assert f"{escape(str(pilote))} ({escape(institution.nom)})" in rangee
    assert "<td>2</td>" in rangee
    assert f'href="/groupes/{groupe.pk}/"' not in reponse.content.decode()
    assert "Créer un groupe" not in reponse.content.decode()
    assert client.get(f"/groupes/{groupe.pk}/").status_code == 404


def test_etranger_ne_voit_pas_l_autre_groupe(client, etranger, conseil, groupe, autre_groupe):
    client.force_login(etranger)
    assert client.get(f"/groupes/{autre_groupe.pk}/").status_code == 200
    assert client.get(f"/groupes/{groupe.pk}/").status_code == 404
    assert client.get(f"/conseils/{conseil.pk}/").status_code == 404


def test_superutilisateur_sans_appartenance_ne_voit_pas_le_groupe(client, conseil, groupe):
    client.force_login(UtilisateurFactory(is_superuser=True, is_staff=True))
    assert client.get(f"/groupes/{groupe.pk}/").status_code == 404
    assert client.get(f"/conseils/{conseil.pk}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/groupes/{ailleurs}/",
        "/groupes/{ailleurs}/modifier/",
        "/groupes/{ailleurs}/membres/ajouter/",
        "/groupes/{ailleurs}/pilote/",
        "/conseils/{conseil_ailleurs}/",
        "/conseils/{conseil_ailleurs}/groupes/nouveau/",
        "/groupes/999999/",
        "/groupes/999999/modifier/",
        "/conseils/999999/",
    ],
)
def test_objets_d_un_autre_conseil_introuvables(client, coordonnateur, groupe_ailleurs, url):
    client.force_login(coordonnateur)
    url = url.format(ailleurs=groupe_ailleurs.pk, conseil_ailleurs=groupe_ailleurs.conseil_id)
    assert client.get(url).status_code == 404
    assert client.post(url, formulaire_groupe(nom="Piraté")).status_code == 404
    assert not GroupeOperationnel.objects.filter(nom="Piraté").exists()


@pytest.mark.parametrize("persona", ["pilote", "membre", "formation_restreinte", "etranger"])
def test_formulaires_du_coordonnateur_introuvables(request, client, conseil, groupe, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in [
        f"/conseils/{conseil.pk}/groupes/nouveau/",
        f"/groupes/{groupe.pk}/modifier/",
        f"/groupes/{groupe.pk}/membres/ajouter/",
        f"/groupes/{groupe.pk}/pilote/",
    ]:
        assert client.get(url).status_code == 404, url
