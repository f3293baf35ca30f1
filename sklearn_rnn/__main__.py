"""``python -m sklearn_rnn``: the same as the ``sklearn-rnn`` command."""

import sys

from ._cli import main

sys.exit(main())
