"""Ce que l'application refuse avant toute vue."""

from django.http import HttpResponseNotAllowed

from clspd import permissions

# Des pages et des formulaires HTML : rien d'autre que GET, HEAD et POST.
METHODES_ACCEPTEES = ("GET", "HEAD", "POST")


class MethodesHttp:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in METHODES_ACCEPTEES:
            return HttpResponseNotAllowed(METHODES_ACCEPTEES)
        return self.get_response(request)


class PorteeDesPermissions:
    """Les permissions de chacun lues une fois par requête (``permissions.une_requete``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with permissions.une_requete():
            return self.get_response(request)
