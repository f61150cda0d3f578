"""Entry point of the mxsplit component package (PulumiPlugin.yaml in this folder).

Pulumi starts it as ``python <this folder> <engine address>`` from the consuming program's
folder; nothing here depends on the working directory. The schema is inferred from
MxSplit's type annotations and docstrings, so TypeScript, Go, C#, Java and YAML programs
can ``pulumi package add`` this folder and declare ``mxsplit:index:MxSplit``.
"""

import sys

from mxsplit_component.plugin import main

if __name__ == "__main__":
    main(sys.argv[1:])
