"""Démonstration des groupes : un groupe par programme, une CCOP, et un groupe du
second conseil ; leurs réunions passées (comptes rendus validés, un brouillon, une
correction), leurs décisions (en retard, en cours, faites) et leurs prochaines réunions."""

import datetime

from django.utils import timezone

from groupes import services
from groupes.models import (
    Appartenance,
    CompteRendu,
    Convocation,
    Decision,
    GroupeOperationnel,
    Presence,
    Reunion,
)

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


# Réunions -----------------------------------------------------------------------------------
#
# Chaque réunion se reconnaît à son groupe et à son objet : relancée, la démonstration la
# retrouve et n'y touche plus. Les dates sont relatives au jour du premier chargement.
# Les réunions passées se créent directement (la planification refuse le passé), puis leur
# compte rendu passe par les services, comme il le ferait à l'écran.

Statut = Presence.Statut
Suivi = Decision.Statut
PRESENT, EXCUSE, REPRESENTE = Statut.PRESENT, Statut.EXCUSE, Statut.REPRESENTE
BASE_URL = "http://127.0.0.1:8000"


def _jour(decalage):
    """Aujourd'hui décalé de ``decalage`` jours, ramené à un jour ouvré du même côté."""
    jour = timezone.localdate() + datetime.timedelta(days=decalage)
    pas = datetime.timedelta(days=1 if decalage > 0 else -1)
    while jour.weekday() >= 5:
        jour += pas
    return jour


def _moment(jour, heure):
    """Un instant passé (validation, suivi, envoi) qui ne dépasse jamais maintenant."""
    instant = timezone.make_aware(datetime.datetime.combine(jour, datetime.time(heure)))
    return min(instant, timezone.now())


def _heure(texte):
    return datetime.time.fromisoformat(texte)


def _reunion(groupe, auteur, r):
    """La réunion décrite par ``r`` ; planifiée par le service si elle est à venir."""
    champs = {
        "objet": r["objet"],
        "date": _jour(r["jour"]),
        "heure_debut": _heure(r["de"]),
        "heure_fin": _heure(r["a"]),
        "lieu": r.get("lieu", ""),
        "lien_visio": r.get("visio", ""),
    }
    points = [{"titre": titre, "description": description} for titre, description, _ in r["points"]]
    if r["jour"] > 0:
        return services.reunion_planifier(groupe=groupe, auteur=auteur, points=points, **champs)
    reunion = Reunion(groupe=groupe, cree_par=auteur, **champs)
    reunion.full_clean()
    reunion.save()
    services.reunion_modifier(reunion, auteur=auteur, base_url=BASE_URL, points=points)
    return reunion


def _presences(reunion, auteur, presences, exterieurs):
    """Les présences : {adresse: (statut, représenté par)} ; les autres membres, présents."""
    lignes = []
    for appartenance in reunion.groupe.appartenances.actives().select_related("utilisateur"):
        statut, represente_par = presences.get(appartenance.utilisateur.email, (PRESENT, ""))
        lignes.append((appartenance, statut, represente_par))
    services.presences_enregistrer(
        reunion, auteur=auteur, presences=lignes, participants_exterieurs=exterieurs
    )


def _notes(reunion, r):
    """Les notes du compte rendu, point par point : {point: texte}."""
    points = reunion.points.order_by("ordre")
    return {point: notes for point, (_, _, notes) in zip(points, r["points"], strict=True)}


def _valider(reunion, auteur, jours_apres):
    compte_rendu = services.compte_rendu_valider(reunion, auteur=auteur)
    # Validé quelques jours après la réunion, pas le jour du chargement de la démonstration.
    valide_le = _moment(reunion.date + datetime.timedelta(days=jours_apres), 10)
    CompteRendu.objects.filter(pk=compte_rendu.pk).update(valide_le=valide_le)


def _compte_rendu(reunion, auteur, r, porteurs):
    _presences(reunion, auteur, r.get("presences", {}), r.get("exterieurs", []))
    services.compte_rendu_enregistrer(
        reunion, auteur=auteur, synthese=r.get("synthese", ""), notes=_notes(reunion, r)
    )
    decisions = []
    for libelle, porteur, echeance, suivi in r.get("decisions", []):
        if "@" in porteur:
            champs = {"porteur": porteurs["personnes"][porteur]}
        else:
            champs = {"institution_porteuse": porteurs["institutions"][porteur]}
        decision = services.decision_ajouter(
            reunion,
            auteur=auteur,
            libelle=libelle,
            echeance=_jour(echeance) if echeance is not None else None,
            **champs,
        )
        decisions.append((decision, suivi))
    if not r.get("valider", True):
        return
    _valider(reunion, auteur, jours_apres=2)
    if "correction" in r:
        motif, presences, exterieurs, synthese = r["correction"]
        services.compte_rendu_corriger(reunion, auteur=auteur, motif=motif)
        _presences(reunion, auteur, presences, exterieurs)
        services.compte_rendu_enregistrer(
            reunion, auteur=auteur, synthese=synthese, notes=_notes(reunion, r)
        )
        _valider(reunion, auteur, jours_apres=9)
    for decision, suivi in decisions:
        if suivi:
            statut, commentaire, jours_apres = suivi
            qui = decision.porteur or auteur
            services.decision_suivre(decision, auteur=qui, statut=statut, commentaire=commentaire)
            Decision.objects.filter(pk=decision.pk).update(
                suivi_le=_moment(reunion.date + datetime.timedelta(days=jours_apres), 15)
            )


def _convoquer(reunion, auteur, envoyee_le):
    """Note la convocation de chaque membre, sans envoyer de courriel depuis la démonstration."""
    Convocation.objects.bulk_create(
        Convocation(
            reunion=reunion,
            destinataire=appartenance.utilisateur,
            type=Convocation.Type.CONVOCATION,
            sequence=reunion.sequence,
            envoyee_le=envoyee_le,
            envoyee_par=auteur,
        )
        for appartenance in reunion.groupe.appartenances.actives().select_related("utilisateur")
    )


def _reunions(groupe, auteur, definitions, porteurs):
    for r in definitions:
        if groupe.reunions.filter(objet=r["objet"]).exists():
            continue
        reunion = _reunion(groupe, auteur, r)
        if r["jour"] <= 0:
            # Convoquée dix jours avant, comme toute réunion tenue.
            _convoquer(reunion, auteur, _moment(reunion.date - datetime.timedelta(days=10), 9))
            _compte_rendu(reunion, auteur, r, porteurs)
        elif "convoquee_il_y_a" in r:
            il_y_a = datetime.timedelta(days=r["convoquee_il_y_a"])
            _convoquer(reunion, auteur, timezone.now() - il_y_a)


MAIRIE = "Salle du conseil, mairie de Val-Fleuri, 1 place de la République"
CENTRE_SOCIAL = "Centre social des Tilleuls, salle polyvalente, 12 rue des Tilleuls"
COMMISSARIAT = "Commissariat de Val-Fleuri, salle de réunion du 1er étage"

# Un point : (intitulé, précisions, notes du compte rendu).
# Une décision : (libellé, porteur : adresse d'un membre ou nom d'une institution,
#                 échéance en jours depuis aujourd'hui, suivi : (statut, commentaire, jours
#                 après la réunion) ou None).
REUNIONS = {
    "Groupe jeunes exposés à la délinquance": [
        {
            "objet": "Lancement du plan d'action du groupe",
            "jour": -70,
            "de": "14:00",
            "a": "16:00",
            "lieu": MAIRIE,
            "points": [
                (
                    "Diagnostic partagé aux abords du collège Jean-Moulin",
                    "Chiffres agrégés du dernier semestre, présentés par le commissariat.",
                    "Le commissariat présente les faits constatés, agrégés par mois : les "
                    "regroupements se concentrent en fin de journée près de l'arrêt de bus. "
                    "Le collège confirme des tensions à la sortie des cours.",
                ),
                (
                    "Offre de loisirs pendant les vacances scolaires",
                    "",
                    "Le club de prévention recense les places disponibles ; l'offre reste "
                    "insuffisante pour les 14-17 ans.",
                ),
            ],
            "presences": {
                "commissariat@demo.clspd.fr": (
                    REPRESENTE,
                    "Lieutenant Marc Olivier, adjoint au commandant",
                ),
                "pjj@demo.clspd.fr": (EXCUSE, ""),
            },
            "exterieurs": [],
            "synthese": "Le groupe retient deux axes de travail : la présence adulte aux "
            "abords du collège et l'offre de loisirs pendant les vacances.",
            "decisions": [
                (
                    "Réunir les bailleurs sociaux du quartier des Tilleuls sur l'éclairage "
                    "des halls et des abords",
                    "pilote.jeunes@demo.clspd.fr",
                    -40,
                    (
                        Suivi.EN_COURS,
                        "Première rencontre tenue avec Val Habitat ; le second bailleur "
                        "reste à contacter.",
                        20,
                    ),
                ),
                (
                    "Transmettre au groupe le calendrier des sorties de cours du collège",
                    "membre.jeunes@demo.clspd.fr",
                    -55,
                    (Suivi.FAITE, "Calendrier envoyé aux membres par courriel.", 8),
                ),
                (
                    "Étudier le renforcement de l'éclairage à l'arrêt de bus du collège",
                    "Réseau Val Bus",
                    20,
                    None,
                ),
            ],
            "correction": (
                "Ajout de la représentante de Val Habitat, absente de la liste des "
                "participants, et précision de la synthèse.",
                {
                    "commissariat@demo.clspd.fr": (
                        REPRESENTE,
                        "Lieutenant Marc Olivier, adjoint au commandant",
                    ),
                    "pjj@demo.clspd.fr": (EXCUSE, ""),
                },
                [("Martine Dubois", "Val Habitat")],
                "Le groupe retient trois axes de travail : la présence adulte aux abords du "
                "collège, la coordination avec les bailleurs et l'offre de loisirs pendant "
                "les vacances.",
            ),
        },
        {
            "objet": "Suivi des actions aux abords du collège",
            "jour": -28,
            "de": "09:30",
            "a": "11:30",
            "lieu": CENTRE_SOCIAL,
            "points": [
                (
                    "Suivi des décisions de la réunion précédente",
                    "",
                    "Le pilote rend compte de la rencontre avec Val Habitat ; l'éclairage "
                    "de deux halls sera repris.",
                ),
                (
                    "Prévention du harcèlement en ligne",
                    "Proposition du collège pour les classes de quatrième.",
                    "Le collège souhaite une intervention de la maison de protection des "
                    "familles dans les classes de quatrième.",
                ),
                (
                    "Présence éducative de rue le mercredi après-midi",
                    "",
                    "La PJJ et le club de prévention proposent de coordonner leurs tournées.",
                ),
            ],
            "presences": {
                "commissariat@demo.clspd.fr": (EXCUSE, ""),
                "pjj@demo.clspd.fr": (REPRESENTE, "Éric Vidal, éducateur de l'unité"),
            },
            "exterieurs": [("Yann Le Gall", "Centre social des Tilleuls")],
            "synthese": "Les actions engagées avancent ; le groupe ajoute un volet de "
            "prévention du harcèlement en ligne.",
            "decisions": [
                (
                    "Organiser une séance de sensibilisation au harcèlement en ligne pour "
                    "les classes de quatrième",
                    "membre.jeunes@demo.clspd.fr",
                    -7,
                    None,
                ),
                (
                    "Proposer un planning commun de présence éducative de rue le mercredi "
                    "après-midi",
                    "pjj@demo.clspd.fr",
                    10,
                    (
                        Suivi.EN_COURS,
                        "Planning en concertation avec le club de prévention.",
                        6,
                    ),
                ),
                (
                    "Mettre une salle à disposition pour un accueil de loisirs le mercredi",
                    "Centre social des Tilleuls",
                    -14,
                    (Suivi.FAITE, "Salle réservée jusqu'à la fin de l'année scolaire.", 5),
                ),
                (
                    "Partager un bilan trimestriel chiffré des faits constatés aux abords "
                    "du collège",
                    "commissariat@demo.clspd.fr",
                    30,
                    None,
                ),
            ],
        },
        {
            "objet": "Point d'étape sur l'offre de loisirs",
            "jour": -2,
            "de": "14:00",
            "a": "15:30",
            "lieu": MAIRIE,
            "points": [
                (
                    "Fréquentation de l'accueil du mercredi",
                    "",
                    "Premiers retours encourageants du centre social ; à confirmer sur "
                    "un mois complet.",
                ),
                ("Préparation du forum des métiers", "", ""),
            ],
            "presences": {"pjj@demo.clspd.fr": (EXCUSE, "")},
            "synthese": "",
            "decisions": [
                (
                    "Solliciter les entreprises partenaires pour le forum des métiers",
                    "Mission politique de la ville",
                    30,
                    None,
                ),
            ],
            "valider": False,
        },
        {
            "objet": "Préparation du forum des métiers",
            "jour": 12,
            "de": "14:00",
            "a": "16:00",
            "lieu": "Collège Jean-Moulin, salle polyvalente",
            "points": [
                ("Suivi des décisions", "", ""),
                ("Programme et partenaires du forum des métiers", "", ""),
                ("Questions diverses", "", ""),
            ],
            "convoquee_il_y_a": 2,
        },
        {
            "objet": "Bilan de l'année scolaire",
            "jour": 40,
            "de": "10:00",
            "a": "12:00",
            "lieu": MAIRIE,
            "visio": "https://visio.val-fleuri.example/groupe-jeunes",
            "points": [
                ("Bilan des actions engagées", "", ""),
                ("Priorités pour la rentrée", "", ""),
            ],
        },
    ],
    "Groupe violences intrafamiliales et aide aux victimes": [
        {
            "objet": "Coordination des acteurs de l'aide aux victimes",
            "jour": -35,
            "de": "10:00",
            "a": "12:00",
            "lieu": MAIRIE,
            "points": [
                (
                    "Circuit d'information entre partenaires",
                    "",
                    "Les partenaires conviennent d'un annuaire commun des permanences.",
                ),
                (
                    "Permanences d'aide aux victimes au commissariat",
                    "",
                    "L'association propose une demi-journée supplémentaire par semaine.",
                ),
            ],
            "presences": {"parquet@demo.clspd.fr": (EXCUSE, "")},
            "exterieurs": [("Inès Morel", "Délégation départementale aux droits des femmes")],
            "synthese": "Le groupe structure l'information des victimes autour d'un "
            "annuaire commun et d'une permanence renforcée.",
            "decisions": [
                (
                    "Actualiser la plaquette d'information sur les dispositifs d'aide aux victimes",
                    "pilote.vif@demo.clspd.fr",
                    -5,
                    None,
                ),
                (
                    "Présenter au groupe l'organisation de l'accueil des victimes au commissariat",
                    "Commissariat de Val-Fleuri",
                    15,
                    None,
                ),
                (
                    "Recenser les places d'hébergement d'urgence du territoire",
                    "Département — maison des solidarités",
                    -20,
                    (Suivi.FAITE, "Recensement transmis aux membres du groupe.", 10),
                ),
            ],
        },
        {
            "objet": "Réunion trimestrielle du groupe",
            "jour": 20,
            "de": "10:00",
            "a": "12:00",
            "lieu": MAIRIE,
            "points": [
                ("Suivi des décisions", "", ""),
                ("Annuaire commun des permanences", "", ""),
            ],
        },
    ],
    "Groupe tranquillité publique du centre-ville": [
        {
            "objet": "Tranquillité résidentielle et nuisances nocturnes",
            "jour": -42,
            "de": "18:00",
            "a": "19:30",
            "lieu": MAIRIE,
            "points": [
                (
                    "Nuisances sonores place du Marché",
                    "",
                    "Les plaintes se concentrent le vendredi et le samedi soir.",
                ),
                (
                    "Stationnement gênant aux abords des écoles",
                    "",
                    "La police municipale propose des passages à l'entrée des classes.",
                ),
            ],
            "presences": {
                "commissariat@demo.clspd.fr": (REPRESENTE, "Brigadier-chef Paul Henry"),
            },
            "exterieurs": [("Lucas Bertin", "Réseau Val Bus")],
            "synthese": "Le groupe cible la place du Marché en fin de semaine et les "
            "abords des écoles aux heures d'entrée.",
            "decisions": [
                (
                    "Renforcer les patrouilles de la police municipale place du Marché le "
                    "vendredi soir",
                    "membre.tranquillite@demo.clspd.fr",
                    -10,
                    (Suivi.FAITE, "Patrouille ajoutée chaque vendredi de 21 h à 1 h.", 12),
                ),
                (
                    "Réunir les commerçants de la place du Marché sur les horaires de fermeture",
                    "pilote.tranquillite@demo.clspd.fr",
                    -3,
                    None,
                ),
                (
                    "Étudier la pose de barrières devant l'école Jules-Ferry",
                    "Mairie de Val-Fleuri",
                    25,
                    None,
                ),
            ],
        },
        {
            "objet": "Suivi de la place du Marché",
            "jour": 7,
            "de": "18:00",
            "a": "19:30",
            "lieu": MAIRIE,
            "points": [
                ("Suivi des décisions", "", ""),
                ("Rencontre avec les commerçants", "", ""),
            ],
            "convoquee_il_y_a": 3,
        },
    ],
    "CCOP des Tilleuls": [
        {
            "objet": "Point mensuel de la cellule",
            "jour": -21,
            "de": "09:00",
            "a": "10:30",
            "lieu": COMMISSARIAT,
            "points": [
                (
                    "Occupation des halls d'immeubles rue des Tilleuls",
                    "",
                    "Le bailleur signale des dégradations répétées dans deux halls.",
                ),
                (
                    "Sécurisation du parcours piéton vers la gare",
                    "",
                    "Plusieurs points d'éclairage sont hors service.",
                ),
            ],
            "presences": {"pjj@demo.clspd.fr": (EXCUSE, "")},
            "exterieurs": [("Martine Dubois", "Val Habitat")],
            "synthese": "La cellule concentre son action sur les halls de la rue des "
            "Tilleuls et le parcours vers la gare.",
            "decisions": [
                (
                    "Réunir les bailleurs sociaux du quartier des Tilleuls",
                    "pilote.jeunes@demo.clspd.fr",
                    -2,
                    None,
                ),
                (
                    "Signaler aux services techniques les points d'éclairage défaillants "
                    "du parcours vers la gare",
                    "Mairie de Val-Fleuri",
                    10,
                    None,
                ),
                (
                    "Transmettre le bilan mensuel des interventions dans les halls",
                    "commissariat@demo.clspd.fr",
                    -7,
                    (Suivi.FAITE, "Bilan transmis aux membres de la cellule.", 7),
                ),
            ],
        },
        {
            "objet": "Point mensuel suivant de la cellule",
            "jour": 25,
            "de": "09:00",
            "a": "10:30",
            "lieu": COMMISSARIAT,
            "points": [
                ("Suivi des décisions", "", ""),
                ("Halls de la rue des Tilleuls", "", ""),
            ],
        },
    ],
}

REUNIONS_AUTRE_CONSEIL = [
    {
        "objet": "Premier point du groupe",
        "jour": -30,
        "de": "14:00",
        "a": "15:00",
        "lieu": "Mairie de Montrevel, salle des mariages",
        "points": [
            (
                "Points de rassemblement signalés",
                "",
                "La police municipale présente les signalements du mois.",
            ),
        ],
        "synthese": "Premier état des lieux.",
        "decisions": [
            (
                "Établir la carte des points de rassemblement signalés",
                "Police municipale de Montrevel",
                15,
                None,
            ),
        ],
    },
    {
        "objet": "Deuxième point du groupe",
        "jour": 15,
        "de": "14:00",
        "a": "15:00",
        "lieu": "Mairie de Montrevel, salle des mariages",
        "points": [("Carte des points de rassemblement", "", "")],
    },
]


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

    porteurs = {"personnes": p, "institutions": contexte["institutions"]}
    for nom, groupe in groupes.items():
        pilote = groupe.designations.get(date_fin__isnull=True).pilote
        _reunions(groupe, pilote, REUNIONS[nom], porteurs)
    _reunions(
        autre,
        contexte["coordonnateur_autre"],
        REUNIONS_AUTRE_CONSEIL,
        {"personnes": {}, "institutions": {contexte["pm_autre"].nom: contexte["pm_autre"]}},
    )
    contexte["groupes"] = groupes
    for nom in ("Groupe jeunes exposés à la délinquance", "CCOP des Tilleuls"):
        _suivi_individuel(groupes[nom], coordonnateur, contexte)


# Suivi individuel ---------------------------------------------------------------------------

CHARTE = (
    "Les membres du groupe partagent des informations confidentielles dans le seul but de "
    "prévenir la délinquance des jeunes suivis (article L132-5 du code de la sécurité "
    "intérieure). Ils ne les communiquent à aucun tiers, n'écrivent que des faits utiles au "
    "suivi, jamais de jugement, et ne consultent un dossier que pour les besoins du suivi. "
    "Chaque consultation est enregistrée."
)
REGLEMENT = (
    "Le groupe se réunit une fois par mois. Le pilote tient l'ordre du jour et le relevé de "
    "décisions ; les situations y sont désignées par leur seule référence."
)
# Des personnes manifestement fictives : (nom, prénom, sexe, âge, scolarité, origines).
SITUATIONS = [
    ("FICTIF", "Camille", "F", 15, "decrochage", ["etablissement", "prevention"]),
    ("EXEMPLE", "Noah", "M", 16, "sans_activite", ["police"]),
    ("DEMONSTRATION", "Inès", "F", 14, "scolarise", ["services_sociaux", "famille"]),
]


def _suivi_individuel(groupe, coordonnateur, contexte):
    """La charte (acceptée par le pilote, pas encore par membre.jeunes) et quelques
    situations de personnes fictives."""
    if groupe.chartes.exists():
        return
    aujourdhui = timezone.localdate()
    services.charte_publier(
        groupe=groupe,
        auteur=coordonnateur,
        charte_deontologique=CHARTE,
        reglement_interieur=REGLEMENT,
        adoptee_le=aujourdhui - datetime.timedelta(days=120),
    )
    pilote = groupe.designations.get(date_fin__isnull=True).pilote
    services.charte_accepter(groupe=groupe, utilisateur=pilote)
    situations = []
    for rang, (nom, prenom, sexe, age, scolarite, origines) in enumerate(SITUATIONS):
        if groupe.nature == Nature.CCOP and rang > 0:
            break
        debut = aujourdhui - datetime.timedelta(days=90 - 20 * rang)
        situation = services.situation_creer(
            groupe=groupe,
            auteur=pilote,
            nom=nom,
            prenom=prenom,
            sexe=sexe,
            date_naissance=debut.replace(year=debut.year - age) - datetime.timedelta(days=40),
            representants_legaux="Mère : 06 00 00 00 00 (numéro fictif)",
            scolarite=scolarite,
            date_debut=debut,
            origines=origines,
            programme=groupe.programme,
            referent=pilote,
        )
        situations.append(situation)
    # La prochaine réunion du groupe examine ses deux premières situations.
    prochaine = (
        groupe.reunions.filter(date__gte=aujourdhui, annulee_le__isnull=True)
        .order_by("date")
        .first()
    )
    if prochaine:
        services.reunion_modifier(prochaine, auteur=pilote, base_url="", situations=situations[:2])
