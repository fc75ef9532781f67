"""``make_aiohttp_handler``: the library's negotiated exposition as an aiohttp response."""

from aiohttp import hdrs, web

from ..exposition import _bake_output
from ..registry import REGISTRY

__all__ = ["make_aiohttp_handler"]


def make_aiohttp_handler(registry=REGISTRY, disable_compression=False):
    """An aiohttp request handler serving ``registry``; aiohttp compresses the response unless
    ``disable_compression``."""

    async def prometheus_handler(request):
        params = {key: request.query.getall(key) for key in request.query.keys()}
        accept = ",".join(request.headers.getall(hdrs.ACCEPT, [])) or None
        status, headers, output = _bake_output(registry, accept, "", params, True)
        response = web.Response(status=int(status.split(" ")[0]), headers=headers, body=output)
        if not disable_compression:
            response.enable_compression()
        return response

    return prometheus_handler
