"""Entry point of the mxsplit component package (PulumiPlugin.yaml in this folder).

Pulumi infers the schema from MxSplit's type annotations and docstrings, so TypeScript,
Go, C#, Java and YAML programs can `pulumi package add` this folder and declare
`mxsplit:index:MxSplit`.
"""

from pulumi.provider.experimental import component_provider_host

from mxsplit_component import MxSplit

if __name__ == "__main__":
    # The token prefix ("mxsplit") equals the package name.
    component_provider_host(name="mxsplit", components=[MxSplit])
