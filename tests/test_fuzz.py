"""Les entrées hostiles : chaque formulaire et chaque paramètre d'URL du projet reçoivent des
valeurs tirées par Hypothesis (unicode quelconque, chaînes très longues, balises et scripts,
métacaractères SQL, nombres négatifs ou démesurés, identifiants absents ou d'un autre
conseil).

Attendu : une erreur de validation en français, ou une 404 ; jamais une 500, jamais une
écriture pour un envoi refusé, jamais une balise recopiée telle quelle dans la page.

Un exemple envoie chaque formulaire autant de fois qu'il a de champs, chacun hostile à son
tour, puis tous à la fois ; le premier exemple, le plus simple, met une balise partout. Il
tourne dans sa propre transaction, annulée ensuite (``hypothesis.extra.django.TestCase``) ;
le monde de la table des permissions (tests/test_permissions.py) est construit une fois par
classe. Les exemples sont tirés de façon déterministe (``derandomize``) : la CI rejoue
toujours les mêmes. Une URL ajoutée à la table y est éprouvée d'elle-même.
"""

import os
import re
import urllib.parse

from django.conf import settings as reglages_django
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client, override_settings
from django.test.utils import ContextList
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlencode, urlsafe_base64_encode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from clspd.models import Programme
from evaluation import selectors as evaluation_selectors
from evaluation import services as evaluation_services
from evaluation.models import TypeValeur
from evaluation.services import champ_de
from groupes import services as groupe_services
from groupes.models import JournalAcces
from programmes import services as programme_services
from tests.conftest import REGLAGES_DE_TEST, creer_personas
from tests.factories import MOT_DE_PASSE
from tests.test_permissions import (
    TABLE,
    adresse,
    construire_ailleurs,
    construire_monde,
    etat_de_la_base,
)

# Les réglages des fixtures de tests/conftest.py, qui ne s'appliquent pas à setUpTestData.
REGLAGES = {
    **REGLAGES_DE_TEST,
    "STORAGES": {
        **reglages_django.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}


# FUZZ_FACTEUR=20 : vingt fois plus d'exemples, tirés au hasard, pour fouiller sur son poste.
FACTEUR = int(os.environ.get("FUZZ_FACTEUR", "1"))


def reglages_hypothesis(exemples):
    """Peu d'exemples par URL (il y en a cent cinquante), toujours les mêmes, et pas de base
    d'exemples sur disque."""
    return settings(
        max_examples=exemples * FACTEUR,
        deadline=None,
        derandomize=FACTEUR == 1,
        database=None,
        # Un exemple en échec est rapporté tel quel : chaque exemple envoie des dizaines de
        # formulaires, le réduire prendrait des minutes.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# Les valeurs hostiles ---------------------------------------------------------------------

BALISES = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
CHARGES = (
    *BALISES,
    "' OR 1=1 --",
    "1; DROP TABLE clspd_conseil; --",
    '"\\',
    "%00",
    "\x00",
    "",
    "   ",
    "x" * 10_000,
    "é" * 10_000,
    "\u202e\ufeff\u200b",
    "🚨" * 50,
)
NOMBRES = (
    "-1",
    "0",
    "-0",
    "1,5",
    "1e308",
    "NaN",
    "-Infinity",
    "0x10",
    str(2**31),
    str(2**63),
    str(2**64),
    "9" * 40,
    "-" + "9" * 40,
)
DATES = ("9999-12-31", "0001-01-01", "2024-02-30", "31/12/2024", "24:61", "-2024-01-01")
# Tout l'unicode, sauf les demi-codets isolés, qu'aucun navigateur n'envoie (UTF-8 invalide).
TEXTE = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


def hostiles(ids_ailleurs):
    """Une valeur hostile ; ``ids_ailleurs`` : les identifiants d'un autre conseil."""
    return st.one_of(
        st.sampled_from(CHARGES + NOMBRES + DATES),
        TEXTE,
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(ids_ailleurs).map(str),
    )


def hostiles_pour(valide, ids_ailleurs):
    """Une valeur hostile pour un champ : d'abord une balise (le premier exemple, le plus
    simple, en met dans chaque champ), puis les valeurs de son genre (identifiants et
    nombres démesurés pour un identifiant, dates impossibles pour une date), puis toutes."""
    if isinstance(valide, list):
        return st.lists(
            hostiles_pour(valide[0] if valide else "", ids_ailleurs), min_size=1, max_size=3
        )
    valide = str(valide)
    if valide.isdigit():
        genre = st.one_of(
            st.sampled_from(ids_ailleurs).map(str),
            st.sampled_from(NOMBRES),
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
        )
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", valide):
        genre = st.sampled_from(DATES)
    else:
        genre = st.sampled_from(CHARGES)
    return st.one_of(st.sampled_from(BALISES), genre, hostiles(ids_ailleurs))


# Ce que la réponse doit montrer ----------------------------------------------------------

# Un message de Django resté en anglais (une traduction manquante, un texte écrit en dur).
ANGLAIS = re.compile(
    r"\b(the|this field|enter a|ensure|select a|please|is required|invalid|must be)\b",
    re.IGNORECASE,
)
# Le journal des accès note chaque lecture des situations, même d'un formulaire refusé :
# c'est son rôle. Une lecture n'est pas une écriture des données du groupe.
LECTURES = (JournalAcces.Operation.LISTER, JournalAcces.Operation.CONSULTER)


def etat_hors_lectures():
    etat = etat_de_la_base()
    etat["journalacces"] = list(
        JournalAcces.objects.exclude(operation__in=LECTURES).order_by("pk").values_list()
    )
    return etat


def contenu(reponse):
    # getvalue() lit aussi une réponse diffusée (les exports) jusqu'au bout : une erreur de
    # sa production viendrait là.
    return reponse.getvalue().decode(errors="replace")


def verifier_echappement(reponse):
    """Aucune balise envoyée n'est recopiée telle quelle dans une page HTML."""
    if "text/html" in reponse.get("Content-Type", ""):
        html = contenu(reponse)
        for balise in BALISES:
            assert balise not in html, f"Balise non échappée : {balise}"


def _valeurs_du_contexte(reponse):
    contextes = reponse.context
    if contextes is None:
        return []
    if not isinstance(contextes, ContextList):
        contextes = [contextes]
    return [valeur for contexte in contextes for valeur in contexte.flatten().values()]


def _formulaires(valeur, profondeur=0):
    """Les formulaires d'une valeur du contexte, jusque dans ses listes et ses dictionnaires
    (le formulaire de commentaire d'une partie du rapport est dans son contenu)."""
    if isinstance(valeur, BaseForm | BaseFormSet):
        yield valeur
    elif profondeur < 5 and isinstance(valeur, dict | list | tuple):
        for element in valeur.values() if isinstance(valeur, dict) else valeur:
            yield from _formulaires(element, profondeur + 1)


def _erreurs_du_formulaire(form):
    """[(message, visible)] : l'erreur d'un champ caché, falsifié, n'a pas à s'afficher
    sous lui ; le formulaire en dit assez par ses autres erreurs."""
    if isinstance(form, BaseFormSet):
        return [(e, True) for e in form.non_form_errors()] + [
            erreur for f in form.forms for erreur in _erreurs_du_formulaire(f)
        ]
    return [
        (e, nom not in form.fields or not form[nom].is_hidden)
        for nom, liste in form.errors.items()
        for e in liste
    ]


def erreurs_affichees(reponse):
    """Les messages d'erreur de la page, [(message, visible)] : ceux des formulaires du
    contexte, et ceux que des vues passent à part (``erreur``, ``erreur_generale``,
    ``erreurs``)."""
    formulaires = {}
    for valeur in _valeurs_du_contexte(reponse):
        formulaires |= {id(form): form for form in _formulaires(valeur)}
    erreurs = [e for form in formulaires.values() for e in _erreurs_du_formulaire(form)]
    for cle in ("erreur", "erreur_generale", "erreurs"):
        valeur = reponse.context.get(cle) if reponse.context is not None else None
        if valeur:
            erreurs += [(e, True) for e in (valeur if isinstance(valeur, list) else [valeur])]
    return [(str(erreur), visible) for erreur, visible in erreurs]


def verifier_refus(reponse):
    """Un envoi refusé : la page le dit, en français, où on le voit."""
    erreurs = erreurs_affichees(reponse)
    assert erreurs, "Envoi refusé sans message d'erreur."
    for erreur, _ in erreurs:
        assert not ANGLAIS.search(erreur), f"Message d'erreur en anglais : {erreur}"
    html = contenu(reponse)
    affichees = [erreur for erreur, _ in erreurs if escape(erreur) in html]
    absentes = [erreur for erreur, visible in erreurs if visible and erreur not in affichees]
    assert affichees and not absentes, f"Erreurs non affichées : {absentes or erreurs}"


def dans_le_site(reponse):
    """L'adresse d'une redirection, qui reste dans le site (« //ailleurs » et « /\\ailleurs »
    mèneraient un navigateur sur un autre)."""
    adresse_suivante = reponse["Location"]
    assert urllib.parse.urlsplit(adresse_suivante).netloc == "", adresse_suivante
    assert not adresse_suivante.startswith(("//", "/\\")), adresse_suivante
    return adresse_suivante


# Le monde ---------------------------------------------------------------------------------


@override_settings(**REGLAGES)
class MondeHostile(TestCase):
    """Le monde de la table des permissions, les identifiants du conseil d'Ailleurs, et
    l'état de la base, que chaque exemple retrouve (il est annulé après lui)."""

    @classmethod
    def setUpTestData(cls):
        cls.monde = construire_monde(creer_personas())
        cls.ailleurs = construire_ailleurs()
        cls.ids_ailleurs = sorted(
            {objet.pk for objet in vars(cls.ailleurs).values() if hasattr(objet, "pk")}
        )
        cls.etat_initial = etat_hors_lectures()

    def setup_example(self):
        # Chaque exemple a sa transaction et son client, neuf : ni session ni message
        # hérités du précédent. Le coordonnateur a tous les droits sur son conseil.
        super().setup_example()
        self.client.force_login(self.monde.personas["coordonnateur"])

    def client_de(self, persona):
        client = Client()
        client.force_login(self.monde.personas[persona])
        return client

    def eprouver(self, tirage, url, valides, *, client=None, base_changee=False, **attendus):
        """Envoie le formulaire avec chaque champ hostile à son tour (les autres valides :
        le refus, ou l'écriture, vient bien de lui, jusque dans les services), puis avec
        tous à la fois.

        Un envoi accepté est annulé aussitôt (un point de sauvegarde) ; un envoi refusé est
        gardé : à la fin, la base doit être celle du début de l'exemple. ``client`` : une
        fabrique de clients, pour un envoi qui change la session (un mot de passe) ;
        ``base_changee`` : le test a changé la base avant d'envoyer ; ``attendus`` : ceux
        de ``envoyer``."""
        avant = etat_hors_lectures() if base_changee else self.etat_initial
        champs = sorted(valides)
        envois = [[champ] for champ in champs] + ([champs] if len(champs) > 1 else [])
        refuses = []
        for cibles in envois or [[]]:
            donnees = dict(valides)
            for champ in cibles:
                donnees[champ] = tirage.draw(
                    hostiles_pour(valides[champ], self.ids_ailleurs), label=champ
                )
            with transaction.atomic():
                accepte = self.envoyer(
                    client() if client else self.client, url, donnees, **attendus
                )
                if accepte:
                    transaction.set_rollback(True)
            if not accepte:
                refuses.append(cibles)
        assert etat_hors_lectures() == avant, f"Un envoi refusé a écrit (champs : {refuses})"

    def envoyer(self, client, url, donnees, *, montre_l_ecriture=False, arrivees=(200,)):
        """Un envoi. Refusé, le formulaire est réaffiché avec son erreur en français, et
        aucun courriel ne part ; accepté, il redirige dans le site, vers une page qui montre,
        échappé, ce qui a été écrit. ``montre_l_ecriture`` : la page affiche sur place ce
        qu'elle a fait (l'archive ouverte sur motif) ; ``arrivees`` : les statuts permis de
        la page d'arrivée. Renvoie vrai si l'envoi est accepté."""
        mail.outbox = []

        reponse = client.post(url, donnees)

        assert reponse.status_code in (200, 302), reponse.status_code
        verifier_echappement(reponse)
        if reponse.status_code == 302:
            suite = client.get(dans_le_site(reponse))
            assert suite.status_code in arrivees
            verifier_echappement(suite)
            return True
        if montre_l_ecriture and reponse.context["consultee"]:
            return True
        verifier_refus(reponse)
        assert mail.outbox == []
        return False


# Les formulaires --------------------------------------------------------------------------


def _aujourdhui():
    return timezone.localdate().isoformat()


# Les champs facultatifs des formulaires, que les données de la table laissent de côté.
CHAMPS_FACULTATIFS = {
    "institution_creer": lambda m: {
        "adresse": "1 rue de la Paix",
        "courriel": "accueil@exemple.fr",
        "telephone": "01 02 03 04 05",
    },
    "institution_modifier": lambda m: {"adresse": "", "courriel": "", "telephone": ""},
    "territoire_creer": lambda m: {"commune": m.conseil.communes.first().pk},
    "territoire_modifier": lambda m: {"commune": ""},
    "groupes:decision_ajouter": lambda m: {
        "institution_porteuse": m.institution.pk,
        "echeance": _aujourdhui(),
        "situation": m.situation.pk,
    },
    "groupes:decision_modifier": lambda m: {"echeance": "", "situation": ""},
    "groupes:reunion_creer": lambda m: {
        "situations": [m.situation.pk],
        "points-0-description": "Précisions",
        "points-0-DELETE": "",
    },
    "groupes:presences": lambda m: {
        "exterieurs-0-DELETE": "",
        **{
            f"membre-{a.pk}-represente_par": ""
            for a in m.groupe.appartenances.filter(date_fin__isnull=True)
        },
    },
    "programmes:periode_ajouter": lambda m: {"saisons": ["ete"]},
    "programmes:action_creer": lambda m: {
        "description": "",
        "objectifs": "",
        "public_cible": "",
        "territoire": m.territoire.pk,
        "partenaires": [m.institution.pk],
        "referent": m.membre.pk,
        "date_fin": "",
    },
    "programmes:financement_ajouter": lambda m: {
        "date_decision": _aujourdhui(),
        "depassement_confirme": "",
    },
    "programmes:proposition_statuer": lambda m: {"financement_accorde": "100"},
    "groupes:situation_action": lambda m: {"date_fin": "", "resultat": ""},
    "evaluation:saisie": lambda m: {"soumettre": "1"},
    "evaluation:rapport_conclure": lambda m: {"examine": ""},
}

# Une valeur valide de chaque type d'indicateur (la répartition a ses propres cases).
VALEURS_VALIDES = {
    TypeValeur.ENTIER: "12",
    TypeValeur.DECIMAL: "2,5",
    TypeValeur.POURCENTAGE: "50",
    TypeValeur.DUREE: "3,5",
    TypeValeur.ECHELLE: "4",
    TypeValeur.TEXTE: "Des faits, sans nom.",
}


def _test_formulaire(nom):
    route = TABLE[nom]

    @reglages_hypothesis(exemples=3)
    @given(tirage=st.data())
    def test(self, tirage):
        valides = {
            **route.ecriture(self.monde),
            **CHAMPS_FACULTATIFS.get(nom, lambda m: {})(self.monde),
        }
        self.eprouver(
            tirage,
            adresse(nom, self.monde),
            valides,
            montre_l_ecriture=route.statut_ecriture == 200,
        )

    test.__doc__ = f"Le formulaire de « {nom} », envoyé par le coordonnateur."
    return test


class FormulairesHostiles(MondeHostile):
    """Chaque formulaire de la table, envoyé par le coordonnateur (il a tous les droits) avec
    des champs hostiles ; et deux formulaires que la table n'atteint pas."""

    @reglages_hypothesis(exemples=3)
    @given(tirage=st.data())
    def test_evaluation_saisie_de_tous_les_indicateurs(self, tirage):
        """L'action suit tous les indicateurs du conseil : chaque type de valeur, et le
        profil des bénéficiaires en trois tableaux de cases."""
        saisie = self.monde.saisie
        evaluation_services.evaluation_parametrer(
            saisie.evaluation.action,
            rythme=saisie.evaluation.rythme,
            cibles=dict.fromkeys(evaluation_selectors.indicateurs_du_conseil(self.monde.conseil)),
        )
        url = reverse("evaluation:saisie", args=[saisie.pk])
        form = self.client.get(url).context["form"]
        valides = {"soumettre": "1"}
        for indicateur in form.indicateurs:
            cases = form.cases.get(champ_de(indicateur))
            if cases is None:
                valides[champ_de(indicateur)] = VALEURS_VALIDES[indicateur.type]
                continue
            # Les douze bénéficiaires dans la première case de chaque tableau.
            remplis = set()
            for case, (dimension, _) in cases.items():
                valides[case] = "" if dimension in remplis else "12"
                remplis.add(dimension)

        self.eprouver(tirage, url, valides, base_changee=True)

    @reglages_hypothesis(exemples=3)
    @given(tirage=st.data())
    def test_programmes_action_decisions_delier(self, tirage):
        """Délier une décision liée à l'action : l'autre formulaire de la page."""
        programme_services.action_lier_decision(self.monde.action, self.monde.decision_actee)
        valides = {"decision": str(self.monde.decision_actee.pk), "operation": "delier"}
        url = reverse("programmes:action_decisions", args=[self.monde.action.pk])

        self.eprouver(tirage, url, valides, base_changee=True)

    def test_les_champs_facultatifs_sont_ceux_des_formulaires_de_la_table(self):
        assert set(CHAMPS_FACULTATIFS) <= {nom for nom, route in TABLE.items() if route.ecriture}


for _nom in sorted(nom for nom, route in TABLE.items() if route.ecriture):
    setattr(FormulairesHostiles, f"test_{_nom.replace(':', '_')}", _test_formulaire(_nom))


class ComptesHostiles(MondeHostile):
    """Les formulaires des comptes, hors de la table des écritures : connexion, mots de
    passe, activation ; et l'acceptation de la charte."""

    NOUVEAU = "Un nouveau mot de passe, 2026 !"

    @reglages_hypothesis(exemples=3)
    @given(tirage=st.data())
    def test_connexion(self, tirage):
        valides = {
            "username": self.monde.personas["coordonnateur"].email,
            "password": MOT_DE_PASSE,
            "next": reverse("accueil"),
        }

        # Un « next » relatif mène où il dit, dans le site : à une page, ou à une 404.
        self.eprouver(tirage, reverse("connexion"), valides, client=Client, arrivees=(200, 404))

    @reglages_hypothesis(exemples=3)
    @given(tirage=st.data())
    def test_reinitialisation(self, tirage):
        valides = {"email": self.monde.membre.email}

        self.eprouver(tirage, reverse("reinitialisation"), valides, client=Client)

    @reglages_hypothesis(exemples=3)
    @given(tirage=st.data())
    def test_mot_de_passe_modifier(self, tirage):
        valides = {
            "old_password": MOT_DE_PASSE,
            "new_password1": self.NOUVEAU,
            "new_password2": self.NOUVEAU,
        }

        # Un client par envoi : changer son mot de passe change la clé de sa session.
        self.eprouver(
            tirage,
            reverse("mot_de_passe_modifier"),
            valides,
            client=lambda: self.client_de("coordonnateur"),
        )

    @reglages_hypothesis(exemples=3)
    @given(nom=st.sampled_from(["activation", "reinitialisation_confirmer"]), tirage=st.data())
    def test_choisir_son_mot_de_passe(self, nom, tirage):
        """Le lien reçu est valide ; le mot de passe choisi, hostile."""
        membre = self.monde.membre
        uid = urlsafe_base64_encode(force_bytes(membre.pk))
        client = Client()
        lien = client.get(reverse(nom, args=[uid, default_token_generator.make_token(membre)]))
        assert lien.status_code == 302  # vers le formulaire, le jeton gardé en session
        valides = {"new_password1": self.NOUVEAU, "new_password2": self.NOUVEAU}

        self.eprouver(tirage, lien["Location"], valides, client=lambda: client)

    @reglages_hypothesis(exemples=3)
    @given(tirage=st.data())
    def test_reauthentification(self, tirage):
        valides = {"password": MOT_DE_PASSE, "next": reverse("accueil")}

        # Un « next » relatif mène où il dit, dans le site : à une page, ou à une 404.
        self.eprouver(tirage, reverse("reauthentification"), valides, arrivees=(200, 404))

    @reglages_hypothesis(exemples=3)
    @given(nom=st.sampled_from(["double_authentification", "double_authentification_inscrire"]))
    def test_code_de_double_authentification(self, nom):
        """Aucun code tiré au hasard n'est le bon : chaque envoi est refusé, en français."""
        for code in ("<script>alert(1)</script>", "' OR 1=1 --", "9" * 10_000, "\x00", "-1"):
            reponse = self.client.post(reverse(nom), {"code": code})
            assert reponse.status_code == 200, (nom, code[:20])
            contenu = reponse.content.decode()
            assert "<script>alert(1)</script>" not in contenu
            # L'erreur, en français, sous le champ.
            assert 'id="error_1_id_code"' in contenu, code[:20]

    @reglages_hypothesis(exemples=3)
    @given(tirage=st.data())
    def test_accepter_la_charte(self, tirage):
        """Une nouvelle version est publiée : le membre l'accepte, d'un numéro hostile."""
        groupe = self.monde.groupe
        nouvelle = groupe_services.charte_publier(
            groupe=groupe,
            auteur=self.monde.personas["coordonnateur"],
            charte_deontologique="Nouvelle version",
            reglement_interieur="",
            adoptee_le=timezone.localdate(),
        )
        membre = self.client_de("membre")
        valides = {"version": str(nouvelle.version)}

        self.eprouver(
            tirage,
            reverse("groupes:charte", args=[groupe.pk]),
            valides,
            client=lambda: membre,
            base_changee=True,
        )


# Les identifiants dans l'adresse -----------------------------------------------------------

# Un entier qu'aucune adresse ne contient par ailleurs : il marque, dans l'adresse construite
# par reverse(), l'identifiant à remplacer.
SENTINELLE = 987_654_321


def segments_hostiles(valide, ailleurs):
    """Un identifiant hostile, tel qu'écrit dans l'adresse : négatif, nul, démesuré (au-delà
    des 64 bits), pas un nombre du tout, ou celui du même objet dans un autre conseil (un
    numéro de version, le même partout, n'en est pas un). Jamais des chiffres suivis d'un
    « / » : « 5/plans » formerait une autre adresse, valide."""
    return st.one_of(
        st.sampled_from(
            ["0", "000", "-1", str(2**31), str(2**63), str(2**64), "9" * 40, "1e3", "%00"]
        ),
        st.integers(max_value=-1).map(str),
        st.integers(min_value=2**63, max_value=2**200).map(str),
        st.sampled_from([*CHARGES[:4], "\x00"]),
        TEXTE.filter(lambda texte: re.match(r"[0-9]+(/|$)", texte) is None),
        st.sampled_from([str(ailleurs)] if ailleurs != valide else ["0"]),
    )


def _quote(segment):
    return urllib.parse.quote(segment, safe="")


def _test_identifiants(nom):
    route = TABLE[nom]

    @reglages_hypothesis(exemples=4)
    @given(tirage=st.data())
    def test(self, tirage):
        valides = route.kwargs(self.monde)
        ailleurs = route.kwargs(self.ailleurs)
        cibles = tirage.draw(st.sets(st.sampled_from(sorted(valides)), min_size=1), label="cibles")
        provisoires, segments = {}, {}
        for rang, (cle, valeur) in enumerate(sorted(valides.items())):
            if cle in cibles:
                provisoires[cle] = SENTINELLE + rang
                segments[str(SENTINELLE + rang)] = tirage.draw(
                    segments_hostiles(valeur, ailleurs[cle]), label=cle
                )
            else:
                provisoires[cle] = valeur
        url = reverse(nom, kwargs=provisoires)
        for sentinelle, segment in segments.items():
            url = url.replace(sentinelle, _quote(segment))

        reponse = self.client.get(url)

        assert reponse.status_code == 404
        verifier_echappement(reponse)
        if route.ecriture:
            reponse = self.client.post(url, route.ecriture(self.ailleurs))
            assert reponse.status_code == 404
            verifier_echappement(reponse)
            assert etat_hors_lectures() == self.etat_initial

    test.__doc__ = f"Les identifiants de « {nom} », pour le coordonnateur : toujours 404."
    return test


class IdentifiantsHostiles(MondeHostile):
    """Chaque URL à identifiants, visitée (et envoyée, si elle écrit) par le coordonnateur
    avec des identifiants hostiles ; et les jetons des adresses publiques."""

    @reglages_hypothesis(exemples=10)
    @given(jeton=TEXTE | st.sampled_from(CHARGES[:4]))
    def test_flux_du_calendrier(self, jeton):
        """Un jeton inconnu répond 404, à tous."""
        url = reverse("groupes:calendrier_flux", args=["x"]).replace("/x.ics", "/{}.ics")

        reponse = Client().get(url.format(_quote(jeton)))

        assert reponse.status_code == 404
        verifier_echappement(reponse)

    @reglages_hypothesis(exemples=10)
    @given(
        nom=st.sampled_from(["activation", "reinitialisation_confirmer"]),
        uidb64=TEXTE | st.sampled_from(CHARGES[:4]),
        jeton=TEXTE | st.sampled_from(CHARGES[:4]),
    )
    def test_liens_d_activation_et_de_reinitialisation(self, nom, uidb64, jeton):
        """Un lien falsifié : la page dit qu'il n'est plus valide (ou 404, si ce n'est plus
        l'adresse d'un lien)."""
        url = reverse(nom, args=["u", "t"]).replace("/u/t/", "/{}/{}/")

        reponse = Client().get(url.format(_quote(uidb64), _quote(jeton)))

        assert reponse.status_code in (200, 404)
        verifier_echappement(reponse)
        if reponse.status_code == 200:
            assert "n'est plus valide" in contenu(reponse)


for _nom in sorted(nom for nom, route in TABLE.items() if route.du_conseil):
    setattr(IdentifiantsHostiles, f"test_{_nom.replace(':', '_')}", _test_identifiants(_nom))


# Les paramètres de la requête ------------------------------------------------------------


def _page(m):
    return {"page": "2"}


def _filtres_des_actions(m):
    return {
        "programme": str(Programme.objects.first().pk),
        "statut": "proposee",
        "territoire": str(m.territoire.pk),
        "annee": str(timezone.localdate().year),
    }


# Les paramètres que lisent les vues (listes paginées, filtres, recherche, exports), chacun
# avec une valeur valide.
PARAMETRES = {
    "institution_liste": _page,
    "territoire_liste": _page,
    "groupes:conseil": lambda m: {
        "nature": "ccop",
        "programme": str(Programme.objects.first().pk),
        "territoire": str(m.territoire.pk),
        "actif": "oui",
        "page": "1",
    },
    "groupes:reunions": _page,
    "groupes:mes_decisions": _page,
    "groupes:situations": lambda m: {"q": "SUIVI", "page": "1"},
    "groupes:archives": _page,
    "groupes:journal": _page,
    "programmes:plans": _page,
    "programmes:plan_detail": _page,
    "programmes:conseil": lambda m: {**_filtres_des_actions(m), "page": "1"},
    "programmes:export": lambda m: {**_filtres_des_actions(m), "quoi": "actions", "format": "xlsx"},
    "programmes:propositions": _page,
    "evaluation:mes_saisies": lambda m: {"page": "1", "validation": "1"},
    "evaluation:rapports": _page,
}


def _test_parametres(nom):
    route = TABLE[nom]

    @reglages_hypothesis(exemples=5)
    @given(tirage=st.data())
    def test(self, tirage):
        valides = PARAMETRES[nom](self.monde)
        cibles = tirage.draw(st.sets(st.sampled_from(sorted(valides)), min_size=1), label="cibles")
        # Une valeur, ou plusieurs (« ?page=1&page=x ») : les vues n'en lisent qu'une.
        parametres = {
            cle: (
                tirage.draw(st.lists(hostiles(self.ids_ailleurs), min_size=1, max_size=3))
                if cle in cibles
                else valeur
            )
            for cle, valeur in valides.items()
        }
        url = reverse(nom, kwargs=route.kwargs(self.monde))

        reponse = self.client.get(f"{url}?{urlencode(parametres, doseq=True)}")

        # L'export d'un type ou d'un format inconnu n'existe pas ; tout le reste s'affiche.
        assert reponse.status_code in ((200, 404) if nom == "programmes:export" else (200,))
        contenu(reponse)  # un export se lit jusqu'au bout : son erreur viendrait là
        verifier_echappement(reponse)

    test.__doc__ = f"Les paramètres de « {nom} », pour le coordonnateur."
    return test


class ParametresHostiles(MondeHostile):
    """Les paramètres de la requête des listes, des filtres, de la recherche, des exports et
    de la connexion."""

    @reglages_hypothesis(exemples=10)
    @given(
        suivante=hostiles([0])
        | st.sampled_from(["//ailleurs.example", "https://ailleurs.example/", "/\\ailleurs"])
    )
    def test_connexion_next(self, suivante):
        """L'adresse de retour après la connexion : recopiée échappée dans la page, et jamais
        vers un autre site pour une personne déjà connectée."""
        url = f"{reverse('connexion')}?{urlencode({'next': suivante})}"

        anonyme = Client().get(url)
        connectee = self.client.get(url)

        assert anonyme.status_code == 200
        verifier_echappement(anonyme)
        assert connectee.status_code == 302
        dans_le_site(connectee)


for _nom in sorted(PARAMETRES):
    setattr(ParametresHostiles, f"test_{_nom.replace(':', '_')}", _test_parametres(_nom))
