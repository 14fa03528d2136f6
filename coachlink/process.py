"""What a web process does once it has started, before it answers its first request."""

import gc


def startup_objects_freeze() -> None:
    """Keep the objects of the started process (modules, settings, URL patterns, Django's
    registries) out of the garbage collector's full passes.

    A full pass walks every object the collector tracks: about 180,000 in a started web process,
    which paused the request it fell in by 60 to 150 ms, once in some 60 requests, and so set
    the 95th percentile of whichever page it hit (bench/pages.py). Objects of the start live as
    long as the process, so walking them again never frees any; frozen, they are skipped, and
    a full pass walks only what requests left behind. The garbage of the start is collected
    first, so it is not kept with them.
    """
    gc.collect()
    gc.freeze()
