"""Records the repository this package was installed from, so that the installed
package finds the host library that `swift build` puts in that repository."""
import os

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


class BuildWithOrigin(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "losshost", "_origin.py")
        with open(target, "w", encoding="utf-8") as f:
            f.write('"""Written at install time by setup.py."""\n')
            f.write(f"REPOSITORY = {os.path.dirname(HERE)!r}\n")


setup(cmdclass={"build_py": BuildWithOrigin})
