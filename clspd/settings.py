"""Réglages du projet, lus depuis l'environnement (voir .env.example).

SQLite par défaut pour un premier lancement ; PostgreSQL via DATABASE_URL.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    """La variable d'environnement ; vide ou absente, la valeur par défaut."""
    return os.environ.get(name, "").strip() or default


def env_bool(name, default=False):
    return env(name, str(default)).lower() in {"1", "true", "yes", "on", "oui"}


def env_int(name, default):
    return int(env(name, str(default)))


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY est obligatoire quand DEBUG est désactivé.")
    SECRET_KEY = "dev-only-insecure-secret-key"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "guardian",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    # Ordre de dépendance : evaluation -> programmes -> groupes -> clspd.
    "clspd",
    "groupes",
    "programmes",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clspd.middleware.MethodesHttp",
    "clspd.middleware.PorteeDesPermissions",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # L'auteur de chaque modification, pour l'historique (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clspd.sessions.ExpirationDesSessions",
    "clspd.double_authentification.DoubleAuthentification",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # En dernier, comme le demande django-axes : il répond aux connexions bloquées.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clspd.urls"
WSGI_APPLICATION = "clspd.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} plus rapide pour les liens à identifiants entiers (même résultat).
            "builtins": ["clspd.templatetags.liens"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "PG_REQUETES_PREPAREES", True
):
    # Chaque connexion prépare les requêtes qu'elle répète : PostgreSQL ne les planifie
    # plus à chaque page (jusqu'à 2 ms pour une liste à six jointures). Désactivable
    # derrière un pgbouncer en mode transaction sans max_prepared_statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "clspd.Utilisateur"
AUTHENTICATION_BACKENDS = [
    # D'abord django-axes : il refuse une connexion bloquée avant même de lire le mot de passe.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "clspd.validators.ComplexiteValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 (les empreintes PBKDF2 plus anciennes sont relues, puis converties à la connexion).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# django-axes : après 5 échecs pour un même compte depuis une même adresse, la connexion
# est bloquée 15 minutes (CNIL : un blocage temporaire après au plus 10 échecs).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Derrière un proxy de confiance qui remplace (et non complète) l'en-tête de l'adresse du
# client, par exemple nginx avec « proxy_set_header X-Forwarded-For $remote_addr; » :
# EN_TETE_ADRESSE_CLIENT=HTTP_X_FORWARDED_FOR. Vide : l'adresse de la connexion TCP.
EN_TETE_ADRESSE_CLIENT = env("EN_TETE_ADRESSE_CLIENT")
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(filter(None, [EN_TETE_ADRESSE_CLIENT, "REMOTE_ADDR"]))
AXES_USERNAME_FORM_FIELD = "username"  # le champ du formulaire, qui porte l'adresse
AXES_LOCKOUT_TEMPLATE = "registration/connexion_bloquee.html"
LOGIN_URL = "connexion"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "connexion"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# django-guardian : pas d'utilisateur anonyme en base, l'application exige la connexion.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Courriel : console par défaut, SMTP si EMAIL_HOST est renseigné.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "ne-pas-repondre@clspd.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Sécurité : en production (DEBUG désactivé), HTTPS partout.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy : rien que les fichiers du site, aucun script ni style en ligne
# (les images « data: » sont celles des feuilles de style de Bootstrap).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Double authentification (TOTP) : exigée de ceux que désigne la fonction ci-dessous.
DOUBLE_AUTHENTIFICATION_OBLIGATOIRE = env_bool("DOUBLE_AUTHENTIFICATION_OBLIGATOIRE", True)
DOUBLE_AUTHENTIFICATION_EXIGEE_POUR = "groupes.selectors.double_authentification_exigee"
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Coordination CLSPD")

# Sessions : fermées après 30 minutes sans activité, 12 heures après la connexion au plus ;
# les actions sensibles redemandent le mot de passe au-delà de 10 minutes.
SESSION_INACTIVITE = env_int("SESSION_INACTIVITE_MINUTES", 30) * 60
SESSION_DUREE_MAXIMALE = env_int("SESSION_DUREE_MAXIMALE_HEURES", 12) * 3600
REAUTHENTIFICATION_APRES = env_int("REAUTHENTIFICATION_MINUTES", 10) * 60
SESSION_COOKIE_AGE = SESSION_DUREE_MAXIMALE

PAGINATION = 25

# L'historique des modifications, le journal des accès aux situations et les traces de
# connexion sont gardés tant de mois, puis effacés par la commande quotidienne.
CONSERVATION_JOURNAUX_MOIS = env_int("CONSERVATION_JOURNAUX_MOIS", 12)

# PDF longs (plus de 20 pages estimées) : rendus hors de la requête par des processus
# « manage.py rendre_les_pdf » que le site lance à la demande, PDF_TRAVAILLEURS_MAX au plus
# à la fois ; un rendu en cours depuis plus de PDF_DUREE_MAXIMALE_MINUTES passe en échec.
# Sans arrière-plan (PDF_EN_ARRIERE_PLAN=0), le rendu se fait dans la requête qui le demande.
PDF_EN_ARRIERE_PLAN = env_bool("PDF_EN_ARRIERE_PLAN", True)
PDF_TRAVAILLEURS_MAX = env_int("PDF_TRAVAILLEURS_MAX", 2)
PDF_DUREE_MAXIMALE_MINUTES = env_int("PDF_DUREE_MAXIMALE_MINUTES", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # WeasyPrint raconte chaque étape de chaque PDF : seulement ses avertissements.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
