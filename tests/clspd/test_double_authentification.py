"""Double authentification : inscription (clé, QR code, premier code, codes de secours),
code demandé après le mot de passe, obligation pour les coordonnateurs, pilotes et membres
des groupes qui suivent des situations ; offerte (et désactivable) pour les autres."""

import re

import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clspd import double_authentification as deux_facteurs
from clspd.models import Programme
from tests.conftest import ajouter_membre
from tests.factories import MOT_DE_PASSE, GroupeFactory, UtilisateurFactory, programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _obligatoire(settings):
    settings.DOUBLE_AUTHENTIFICATION_OBLIGATOIRE = True
    # Après un code faux, django-otp fait attendre (1 s, puis 2, 4...) : les tests enchaînent
    # un code faux et le bon. Le délai a son propre test.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code(appareil):
    return f"{totp(appareil.bin_key):06d}"


def se_connecter(client, utilisateur, suivante="/"):
    return client.post(
        f"{reverse('connexion')}?next={suivante}",
        {"username": utilisateur.email, "password": MOT_DE_PASSE},
    )


def inscrire(utilisateur):
    appareil = TOTPDevice.objects.create(user=utilisateur, name="Application", confirmed=True)
    deux_facteurs.codes_de_secours_renouveler(utilisateur)
    return appareil


def test_le_pilote_doit_s_inscrire_avant_toute_page(client, pilote, groupe):
    se_connecter(client, pilote)
    adresse = groupe.get_absolute_url()

    reponse = client.get(adresse)

    assert reponse.status_code == 302
    assert (
        reponse["Location"]
        == redirect_to_login(adresse, login_url=reverse("double_authentification_inscrire"))[
            "Location"
        ]
    )


def test_inscription_cle_qr_code_premier_code_et_codes_de_secours(client, pilote):
    se_connecter(client, pilote)
    page = client.get(reverse("double_authentification_inscrire")).content.decode()
    appareil = TOTPDevice.objects.get(user=pilote, confirmed=False)
    assert deux_facteurs.cle_base32(appareil) in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert "Votre rôle (coordination, pilotage" in page

    erreur = client.post(reverse("double_authentification_inscrire"), {"code": "000000"})
    assert "Code incorrect ou expiré" in erreur.content.decode()
    assert not TOTPDevice.objects.get(pk=appareil.pk).confirmed

    reponse = client.post(
        f"{reverse('double_authentification_inscrire')}?next=/", {"code": code(appareil)}
    )

    contenu = reponse.content.decode()
    codes = StaticToken.objects.filter(device__user=pilote).values_list("token", flat=True)
    assert len(codes) == 10
    for secours in codes:
        assert secours in contenu
    assert TOTPDevice.objects.get(pk=appareil.pk).confirmed
    assert client.get(reverse("accueil")).status_code == 200


def test_apres_le_mot_de_passe_le_code_est_demande(client, pilote):
    appareil = inscrire(pilote)

    reponse = se_connecter(client, pilote, reverse("groupes:mes_decisions"))
    reponse = client.get(reponse["Location"])

    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("double_authentification"))
    verification = reponse["Location"]
    erreur = client.post(verification, {"code": "123456"})
    assert "Code incorrect ou expiré." in erreur.content.decode()
    assert client.get(reverse("accueil")).status_code == 302

    reponse = client.post(verification, {"code": code(appareil)})

    assert reponse.status_code == 302
    assert client.get(reverse("accueil")).status_code == 200


def test_un_code_de_secours_ne_sert_qu_une_fois(client, pilote):
    inscrire(pilote)
    secours = StaticToken.objects.filter(device__user=pilote).first().token

    se_connecter(client, pilote)
    assert client.post(reverse("double_authentification"), {"code": secours}).status_code == 302
    client.logout()
    se_connecter(client, pilote)
    erreur = client.post(reverse("double_authentification"), {"code": secours})

    assert "Code incorrect ou expiré." in erreur.content.decode()


@pytest.mark.parametrize("qui", ["coordonnateur", "pilote", "membre_du_groupe_jeunes"])
def test_l_obligation(qui, coordonnateur, pilote, membre):
    utilisateur = {
        "coordonnateur": coordonnateur,
        "pilote": pilote,
        "membre_du_groupe_jeunes": membre,
    }[qui]
    assert deux_facteurs.exigee(utilisateur)


def test_un_membre_d_un_groupe_sans_suivi_n_y_est_pas_oblige(
    client, conseil, institution, coordonnateur
):
    tranquillite = GroupeFactory(conseil=conseil, programme=programme(Programme.Axe.TRANQUILLITE))
    agent = UtilisateurFactory(email="agent@testville.fr")
    ajouter_membre(tranquillite, agent, institution, coordonnateur)
    assert not deux_facteurs.exigee(agent)

    se_connecter(client, agent)

    assert client.get(reverse("accueil")).status_code == 200
    page = client.get(reverse("mon_compte")).content.decode()
    assert reverse("double_authentification_inscrire") in page
    # S'il l'active, il peut la désactiver.
    inscrire(agent)
    page = client.get(reverse("mon_compte")).content.decode()
    assert reverse("double_authentification_desactiver") in page
    client.post(reverse("double_authentification_desactiver"))
    assert not TOTPDevice.objects.filter(user=agent).exists()


def test_le_pilote_ne_peut_pas_la_desactiver(client, pilote):
    inscrire(pilote)
    client.force_login(pilote)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=pilote).persistent_id
    session.save()

    page = client.get(reverse("mon_compte")).content.decode()
    assert reverse("double_authentification_desactiver") not in page
    reponse = client.post(reverse("double_authentification_desactiver"), follow=True)

    assert "Votre rôle exige la double authentification" in reponse.content.decode()
    assert TOTPDevice.objects.filter(user=pilote).exists()


def test_nouveaux_codes_de_secours(client, pilote):
    inscrire(pilote)
    anciens = set(StaticToken.objects.values_list("token", flat=True))
    client.force_login(pilote)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=pilote).persistent_id
    session.save()

    contenu = client.post(reverse("codes_de_secours")).content.decode()

    nouveaux = set(StaticToken.objects.values_list("token", flat=True))
    assert len(nouveaux) == 10 and not (nouveaux & anciens)
    assert all(c in contenu for c in nouveaux)
    assert not any(re.search(rf"\b{c}\b", contenu) for c in anciens)


def test_apres_un_code_faux_il_faut_attendre(client, pilote, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    appareil = inscrire(pilote)
    se_connecter(client, pilote)
    client.post(reverse("double_authentification"), {"code": "000000"})

    reponse = client.post(reverse("double_authentification"), {"code": code(appareil)})

    assert "Code incorrect ou expiré." in reponse.content.decode()


def test_la_page_du_code_reste_ouverte_et_la_deconnexion_aussi(client, pilote):
    inscrire(pilote)
    se_connecter(client, pilote)

    assert client.get(reverse("double_authentification")).status_code == 200
    assert client.post(reverse("deconnexion")).status_code == 302
