"""``python -m ogi``: the same as the ``ogi`` command.

The offline bundle's launchers use this form: it keeps working when the bundle's folder is moved,
where the ``ogi`` script pip writes remembers the old path.
"""

from ogi.cli import main

if __name__ == "__main__":
    main()
