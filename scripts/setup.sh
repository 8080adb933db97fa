#!/usr/bin/env bash
# Set up everything pdekit needs on a fresh Debian 12 machine, idempotently.
#
#   1. Debian packages: PETSc/SLEPc (real, with MUMPS), OpenMPI, mpi4py, python3-venv,
#      OpenBLAS.
#   2. .venv made from the *system* interpreter (the Debian petsc4py/slepc4py/mpi4py are
#      built for it). It sees only those three of Debian's Python packages: a .pth adds the
#      PETSc/SLEPc module folders (so they import without PETSC_DIR/SLEPC_DIR), and
#      .venv/debian-python holds links to mpi4py. Debian's other Python packages (a second
#      matplotlib pulled in by `apt install paraview`, numpy 1.24, ...) stay invisible.
#   3. pip install -e .[test] (ngsolve, tensorflow-cpu, numpy<2, ...) into the venv.
#
# A stamp file records the hash of this script and pyproject.toml: a second run with
# nothing changed returns in well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
venv="${PDEKIT_VENV:-$root/.venv}"  # PDEKIT_VENV: set up a venv elsewhere (testing setup)
stamp="$venv/.pdekit-setup-stamp"
want=$(cat scripts/setup.sh pyproject.toml | sha256sum | cut -d' ' -f1)

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$venv/bin/pdekit" ]]; then
    exit 0
fi

# libopenblas0-pthread: an optimized BLAS behind libblas.so.3 (CHOLMOD's and MUMPS's dense
# kernels; Debian's default is the reference BLAS). libfftw3-dev: FFTW's headers and its
# single/double libraries, which pip's source build of mpi4py-fft compiles against.
apt_packages=(python3-petsc4py-real python3-slepc4py-real python3-mpi4py python3-venv
              openmpi-bin libopenmpi-dev libopenblas0-pthread libfftw3-dev)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "pdekit setup: installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "pdekit setup: creating $venv from /usr/bin/python3"
    /usr/bin/python3 -m venv "$venv"
fi
# A venv made by an older setup saw all of Debian's packages: turn that off.
sed -i 's/^include-system-site-packages = true/include-system-site-packages = false/' \
    "$venv/pyvenv.cfg"

# petsc4py.pth/slepc4py.pth in Debian read PETSC_DIR/SLEPC_DIR at start-up and default
# to /usr/lib/petsc (only present with petsc-dev): point the venv at the real folders.
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
petsc_dir=$(ls -d /usr/lib/petscdir/petsc3.*/x86_64-linux-gnu-real | sort -V | tail -1)
slepc_dir=$(ls -d /usr/lib/slepcdir/slepc3.*/x86_64-linux-gnu-real | sort -V | tail -1)
debian="$venv/debian-python"
mkdir -p "$debian"
for entry in /usr/lib/python3/dist-packages/mpi4py /usr/lib/python3/dist-packages/mpi4py-*-info; do
    ln -sfn "$entry" "$debian/$(basename "$entry")"
done
printf '%s\n%s\n%s\n' "$petsc_dir/lib/python3/dist-packages" \
    "$slepc_dir/lib/python3/dist-packages" "$debian" > "$site/pdekit-petsc-slepc.pth"

echo "pdekit setup: pip install into $venv (first time: about a minute)"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e ".[test]"
echo "$want" > "$stamp"
echo "pdekit setup: done"
