"""Word vectors by name: the gensim-data catalogue, through ``gensim.downloader``.

``"glove-wiki-gigaword-100"`` names a file of the catalogue
(https://github.com/RaRe-Technologies/gensim-data). It is downloaded once by
``gensim.downloader`` into its folder (``~/gensim-data``, or the
``GENSIM_DATA_DIR`` environment variable, read when ``gensim.downloader`` is
first imported) and read from there afterwards, without network access.

We never call ``gensim.downloader.load(name)`` without ``return_path=True``:
that imports a Python file downloaded with the vectors (the catalogue's
``__init__.py`` "reader code"), which would run code from the network. We
take the path and read the file ourselves, in the format of
:data:`KNOWN_VECTORS` (all the catalogue's vectors are word2vec files).
"""

import difflib
import json
import os

from .._utils._network import network_timeout

__all__ = ["KNOWN_VECTORS", "looks_like_name", "catalogue_path", "close_names"]

#: The catalogue's word vectors (name -> (format, download size in MB)), so
#: that a name is recognised, and an error can say which file to fetch and
#: where to put it, when the catalogue itself cannot be fetched (offline,
#: behind a proxy). Each is ``<name>.gz`` in the folder ``<name>``.
KNOWN_VECTORS = {
    "fasttext-wiki-news-subwords-300": ("word2vec-text", 958),
    "conceptnet-numberbatch-17-06-300": ("word2vec-text", 1169),
    "word2vec-ruscorpora-300": ("word2vec-binary", 199),
    "word2vec-google-news-300": ("word2vec-binary", 1663),
    "glove-wiki-gigaword-50": ("word2vec-text", 66),
    "glove-wiki-gigaword-100": ("word2vec-text", 128),
    "glove-wiki-gigaword-200": ("word2vec-text", 252),
    "glove-wiki-gigaword-300": ("word2vec-text", 376),
    "glove-twitter-25": ("word2vec-text", 105),
    "glove-twitter-50": ("word2vec-text", 200),
    "glove-twitter-100": ("word2vec-text", 387),
    "glove-twitter-200": ("word2vec-text", 759),
}

#: Endings that make a string a file name rather than a catalogue name.
_FILE_SUFFIXES = (".txt", ".vec", ".bin", ".gz", ".bz2", ".zip", ".kv", ".model",
                  ".wordvectors", ".npy", ".pkl", ".pickle")


def looks_like_name(source):
    """True for a string that can be a catalogue name: no folder, no file ending."""
    return (isinstance(source, str) and source.strip() == source and source != ""
            and "/" not in source and os.sep not in source
            and not source.lower().endswith(_FILE_SUFFIXES))


def close_names(name, names):
    """Up to 5 of ``names`` that look like ``name`` (difflib), as a sentence part."""
    close = difflib.get_close_matches(name, sorted(names), n=5, cutoff=0.5)
    return f"Did you mean {' or '.join(map(repr, close))}? " if close else ""


def _downloader():
    import gensim.downloader

    return gensim.downloader


#: Seconds a connection to the catalogue may stay silent before it fails
#: (gensim's ``urlopen`` calls have no time limit of their own).
NETWORK_TIMEOUT = 60


def _confined(api, name, file_name, path=None):
    """``BASE_DIR/name/file_name`` (or ``path``, which gensim gave), checked to
    lie inside the catalogue's folder.

    The catalogue (``list.json`` from the network, or ``information.json``
    in the folder, which anyone who can write there can edit) says each
    file's name. A name with a folder in it, ``..``, an absolute path or a
    symbolic link that leads out of the folder would make us read (and
    gensim write) any file: refused with the reason.
    """
    where = os.path.join(api.BASE_DIR, "information.json")
    for part, what in ((name, "name"), (file_name, "file name")):
        if (not isinstance(part, str) or part in ("", ".", "..") or "/" in part
                or "\\" in part or (os.altsep and os.altsep in part) or "\0" in part
                or os.path.isabs(part) or os.path.splitdrive(part)[0]):
            raise ValueError(
                f"The gensim-data catalogue gives the word vectors {name!r} the {what} "
                f"{part!r}, which is not a plain file name inside its folder "
                f"{api.BASE_DIR} (a path, '..' or an absolute path would read a file "
                f"elsewhere). The catalogue was edited: check {where} or GENSIM_DATA_DIR.")
    path = path or os.path.join(api.BASE_DIR, name, file_name)
    base = os.path.realpath(api.BASE_DIR)
    real = os.path.realpath(path)
    if os.path.commonpath([base, real]) != base:
        raise ValueError(
            f"The word vectors {name!r} of the gensim-data catalogue are at {path}, which "
            f"leads to {real}, outside the catalogue's folder {base} (a symbolic link). "
            "Pass the file's path yourself if you mean to use it.")
    return path


def _cached_file_name(api, name):
    """The file name of ``name`` in gensim's copy of the catalogue from its last
    successful fetch (``information.json``), or None."""
    try:
        with open(os.path.join(api.BASE_DIR, "information.json"), encoding="utf-8") as f:
            return json.load(f)["models"][name]["file_name"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_catalogue(api):
    """The catalogue's models (name -> entry), or None and the reason it could
    not be read. gensim fetches it, or falls back to its copy from the last
    successful fetch (``information.json`` in its folder)."""
    try:
        information = api.info()
        return information["models"], information.get("corpora", {}), None
    except Exception as exc:  # gensim raises bare Exception, ValueError, OSError
        return None, {}, exc


def catalogue_path(name):
    """The local file of the catalogue's vectors ``name``, downloaded if missing.

    Returns
    -------
    path : str
    format : str or None
        The file's format when :data:`KNOWN_VECTORS` knows it, else None
        (then read from the file: never a pickle).

    Raises
    ------
    ValueError
        ``name`` is not a name of the catalogue's vectors (with close names).
    OSError
        The file could not be downloaded: the message names the URL and the
        place to put the file by hand.
    """
    api = _downloader()
    known = KNOWN_VECTORS.get(name)
    file_name = f"{name}.gz" if known else _cached_file_name(api, name)
    if file_name is not None:
        _confined(api, name, file_name)
    if file_name and os.path.isfile(os.path.join(api.BASE_DIR, name, file_name)):
        # downloaded before: no network at all
        return _confined(api, name, file_name), known[0] if known else None
    with network_timeout(NETWORK_TIMEOUT):
        models, corpora, catalogue_error = _read_catalogue(api)
    if models is not None:
        if name not in models:
            kind = "a corpus, not word vectors" if name in corpora else "not in it"
            public = [m for m in {*models, *KNOWN_VECTORS} if not m.startswith("_")]
            raise ValueError(
                f"{name!r} is neither a file nor the name of word vectors of the "
                f"gensim-data catalogue ({kind}). {close_names(name, public)}"
                f"Its vectors: {', '.join(sorted(public))}."
            )
        file_name = models[name].get("file_name") if isinstance(models[name], dict) \
            else None
        _confined(api, name, file_name)
    elif not known:
        raise ValueError(
            f"{name!r} is neither a file nor a name of word vectors known without the "
            f"gensim-data catalogue, which could not be fetched from {api.DATA_LIST_URL} "
            f"({type(catalogue_error).__name__}: {catalogue_error}) nor read from "
            f"{os.path.join(api.BASE_DIR, 'information.json')}. "
            f"{close_names(name, KNOWN_VECTORS)}Names known offline: "
            f"{', '.join(KNOWN_VECTORS)}."
        )
    path = _confined(api, name, file_name)
    if os.path.isfile(path):
        return path, known[0] if known else None
    try:
        with network_timeout(NETWORK_TIMEOUT):
            path = api.load(name, return_path=True)  # downloads; imports nothing
    except Exception as exc:  # urllib's OSErrors, gensim's bare Exception (checksum)
        raise OSError(_cannot_download(api, name, file_name, exc, catalogue_error)) from exc
    if not os.path.isfile(path):  # the folder was there without the file
        raise FileNotFoundError(_cannot_download(
            api, name, file_name, "its folder exists without the file: remove the folder "
            "to download it again", catalogue_error))
    return _confined(api, name, file_name, path), known[0] if known else None


def _cannot_download(api, name, file_name, reason, catalogue_error):
    url = f"{api.DOWNLOAD_BASE_URL}/{name}/{file_name}"
    size = f" ({KNOWN_VECTORS[name][1]:,} MB)" if name in KNOWN_VECTORS else ""
    if isinstance(reason, BaseException):
        reason = f"{type(reason).__name__}: {reason}"
    message = (
        f"Could not download the word vectors {name!r} ({reason}). Fetch {url}{size} "
        f"yourself (a browser, or another machine) and put it at "
        f"{os.path.join(api.BASE_DIR, name, file_name)}, then pass {name!r} again (or that "
        "path). Behind a proxy, set the HTTPS_PROXY environment variable; to keep the "
        "files elsewhere, set GENSIM_DATA_DIR before the first use."
    )
    if catalogue_error is not None:
        message += (
            f" The catalogue itself could not be fetched from {api.DATA_LIST_URL} either, "
            "nor read from gensim's copy of an earlier fetch "
            f"({type(catalogue_error).__name__}: {catalogue_error})."
        )
    return message
