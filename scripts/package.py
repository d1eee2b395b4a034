#!/usr/bin/env python3
"""Builds and checks the two artifacts infra/ deploys (see docs/lambda.md, "Packaging").

  package.py build --build-dir build/release --out dist [--only lambda|app]
  package.py check dist/dr-controller-lambda.zip dist/dr-app-<v>-linux-<arch>.tar.gz

dr-controller-lambda.zip: `bootstrap` at its root (mode 0755) and lib/ with every shared library
it needs beyond glibc, found through the RPATH $ORIGIN/lib. dr-app-<version>-linux-<arch>.tar.gz:
bin/dr-app and lib/ (RPATH $ORIGIN/../lib), unpacked by user_data into /opt/dr-app.

The rule (Amazon Linux 2023 has glibc 2.34): no ELF file in an artifact needs a GLIBC symbol
version above 2.34, glibc's own libraries are never bundled, every other library an ELF file
needs is in lib/, and the executables carry an RPATH (not a RUNPATH, which would not apply to
the libraries' own dependencies) to it. The zip stays within 5 MB. Archives are reproducible (sorted, fixed times), so
Terraform's source_code_hash changes only when the contents do.
"""
import argparse
import io
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile

MAX_GLIBC = (2, 34)
# Issue 10's budget for the Lambda zip (upload, cold start): bootstrap and OpenSSL fit in it;
# libcurl's Debian dependency tree did not (docs/lambda.md, "Packaging").
MAX_LAMBDA_ZIP_BYTES = 5 * 1000 * 1000
# glibc's own libraries: the target system's are used, never bundled.
GLIBC_LIBS = re.compile(
    r"^(libc|libm|libpthread|libdl|librt|libresolv|libutil|libanl|libmvec|libBrokenLocale|"
    r"libthread_db|libc_malloc_debug|libnss_[a-z0-9]+)\.so(\.[0-9]+)*$|^ld-linux[-a-z0-9_]*\.so\.[0-9]+$")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def needed(path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run("readelf", "-d", path))


def rpaths(path):
    out = run("readelf", "-d", path)
    return {kind: value for kind, value in re.findall(r"\((RPATH|RUNPATH)\)\s+Library \w+: \[([^\]]*)\]", out)}


def glibc_versions(path):
    """GLIBC_x.y versions of the symbols `path` takes from elsewhere (objdump -T, *UND*)."""
    versions = set()
    for line in run("objdump", "-T", path).splitlines():
        if "*UND*" not in line:
            continue
        m = re.search(r"\bGLIBC_([0-9]+)\.([0-9]+)(?:\.([0-9]+))?\b", line)
        if m:
            versions.add(tuple(int(x) for x in m.groups() if x is not None))
    return versions


def resolved_libs(binary):
    """soname -> path as the build machine's loader resolves them (ldd)."""
    libs = {}
    for line in run("ldd", binary).splitlines():
        m = re.match(r"\s*(\S+) => (/\S+) \(0x", line)
        if m:
            libs[m.group(1)] = m.group(2)
    return libs


def stage(binary, root, exe_relpath, lib_relpath):
    """Copies `binary` (stripped) and the non-glibc libraries it needs into `root`."""
    exe = os.path.join(root, exe_relpath)
    os.makedirs(os.path.dirname(exe) or root, exist_ok=True)
    shutil.copyfile(binary, exe)
    run("strip", "--strip-unneeded", exe)
    os.chmod(exe, 0o755)
    lib_dir = os.path.join(root, lib_relpath)
    os.makedirs(lib_dir, exist_ok=True)
    for soname, path in sorted(resolved_libs(binary).items()):
        if GLIBC_LIBS.match(soname):
            continue
        target = os.path.join(lib_dir, soname)
        shutil.copyfile(os.path.realpath(path), target)
        os.chmod(target, 0o644)


def write_zip(root, out):
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                info = zipfile.ZipInfo(os.path.relpath(path, root), FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix: Lambda takes the mode from external_attr
                info.external_attr = (stat.S_IFREG | stat.S_IMODE(os.stat(path).st_mode)) << 16
                with open(path, "rb") as f:
                    z.writestr(info, f.read(), compresslevel=9)
    os.replace(tmp, out)


def write_tar_gz(root, out):
    tmp = out + ".tmp"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                path = os.path.join(dirpath, name)
                info = t.gettarinfo(path, os.path.relpath(path, root))
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                info.mtime = 0
                if info.isfile():
                    with open(path, "rb") as f:
                        t.addfile(info, f)
                else:
                    t.addfile(info)
    import gzip
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
            gz.write(buf.getvalue())
    os.replace(tmp, out)


def check_tree(root, executables):
    """Problems of an unpacked artifact; `executables` maps a relative path to its RPATH."""
    problems = []
    lib_dirs = set()
    for rel, rpath in executables.items():
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            problems.append(f"{rel}: missing")
            continue
        if not os.stat(path).st_mode & stat.S_IXOTH:
            problems.append(f"{rel}: not executable by everyone")
        found = rpaths(path)
        if "RUNPATH" in found:
            problems.append(f"{rel}: RUNPATH {found['RUNPATH']} (wanted RPATH {rpath})")
        if found.get("RPATH") != rpath:
            problems.append(f"{rel}: RPATH {found.get('RPATH')!r} (wanted {rpath!r})")
        lib_dirs.add(os.path.normpath(os.path.join(os.path.dirname(path), rpath.replace("$ORIGIN/", ""))))
    bundled = set()
    for d in lib_dirs:
        if os.path.isdir(d):
            bundled |= set(os.listdir(d))
    for name in sorted(bundled):
        if GLIBC_LIBS.match(name):
            problems.append(f"lib/{name}: glibc's own library is bundled")
    for dirpath, _, filenames in os.walk(root):
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if not is_elf(path):
                continue
            too_new = sorted(v for v in glibc_versions(path) if v > MAX_GLIBC)
            if too_new:
                problems.append(f"{rel}: needs GLIBC_{'.'.join(map(str, too_new[-1]))} (at most 2.34)")
            for lib in needed(path):
                if not GLIBC_LIBS.match(lib) and lib not in bundled:
                    problems.append(f"{rel}: needs {lib}, which is neither glibc's nor in lib/")
    # The loader itself, with nothing from the environment: every library that is not glibc's
    # resolves inside the artifact.
    for rel in executables:
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            continue
        out = subprocess.run(["ldd", path], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}).stdout
        for line in out.splitlines():
            m = re.match(r"\s*(\S+) => (\S+)", line)
            if not m or GLIBC_LIBS.match(m.group(1)):
                continue
            where = os.path.realpath(m.group(2)) if m.group(2) != "not" else "not found"
            if not where.startswith(os.path.realpath(root) + os.sep):
                problems.append(f"{rel}: {m.group(1)} resolves to {where}, outside the artifact")
    return problems


def unpack(archive, tmp):
    if archive.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(tmp)
    else:
        with tarfile.open(archive) as t:
            t.extractall(tmp, filter="data")


def highest_glibc(archive):
    """The highest GLIBC version any ELF file in the archive needs, as text."""
    found = set()
    with tempfile.TemporaryDirectory() as tmp:
        unpack(archive, tmp)
        for dirpath, _, filenames in os.walk(tmp):
            for name in filenames:
                path = os.path.join(dirpath, name)
                if os.path.isfile(path) and not os.path.islink(path) and is_elf(path):
                    found |= glibc_versions(path)
    return ".".join(map(str, max(found))) if found else "none"


def check_archive(archive):
    with tempfile.TemporaryDirectory() as tmp:
        if archive.endswith(".zip"):
            with zipfile.ZipFile(archive) as z:
                names = z.namelist()
                if "bootstrap" not in names:
                    return [f"{archive}: no bootstrap at its root"]
                for info in z.infolist():
                    mode = info.external_attr >> 16
                    if info.filename == "bootstrap" and (not stat.S_ISREG(mode) or mode & 0o755 != 0o755):
                        return [f"{archive}: bootstrap has mode {oct(mode)}, not a 0755 file"]
                    if ".." in info.filename.split("/") or info.filename.startswith("/"):
                        return [f"{archive}: unsafe entry {info.filename}"]
                    z.extract(info, tmp)
                    os.chmod(os.path.join(tmp, info.filename), stat.S_IMODE(mode))
            problems = check_tree(tmp, {"bootstrap": "$ORIGIN/lib"})
            if os.path.getsize(archive) > MAX_LAMBDA_ZIP_BYTES:
                problems.append(f"{os.path.getsize(archive)} bytes, above the budget of "
                                f"{MAX_LAMBDA_ZIP_BYTES} (lib/: {sorted(n for n in names if n.startswith('lib/'))})")
            # Its glibc shims (src/compat/glibc_compat.cc) work: unwinding, random_device.
            test = subprocess.run([os.path.join(tmp, "bootstrap"), "--self-test"], capture_output=True,
                                  text=True, env={"PATH": "/usr/bin:/bin"})
            if test.returncode != 0 or '"selfTest":"ok"' not in test.stdout:
                problems.append(f"bootstrap --self-test failed ({test.returncode}): {test.stdout}{test.stderr}")
            return problems
        with tarfile.open(archive) as t:
            t.extractall(tmp, filter="data")
        problems = check_tree(tmp, {"bin/dr-app": "$ORIGIN/../lib"})
        # It starts from the tarball as user_data runs it (/opt/dr-app/bin/dr-app under systemd:
        # no LD_LIBRARY_PATH, the RPATH finds lib/). --help throws through CLI11 (the unwinder
        # and its glibc shim), and prints the options user_data's environment file sets.
        app = os.path.join(tmp, "bin", "dr-app")
        if os.path.isfile(app):
            test = subprocess.run([app, "--help"], capture_output=True, text=True,
                                  env={"PATH": "/usr/bin:/bin"})
            if test.returncode != 0 or "--db-writer" not in test.stdout:
                problems.append(f"bin/dr-app --help failed ({test.returncode}): {test.stdout}{test.stderr}")
        return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--build-dir", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--only", choices=["lambda", "app"])
    c = sub.add_parser("check")
    c.add_argument("archives", nargs="+")
    args = parser.parse_args()

    if args.command == "check":
        failed = False
        for archive in args.archives:
            problems = check_archive(archive)
            for p in problems:
                print(f"{archive}: {p}")
            print(f"{archive}: {'NOT fit to deploy (Amazon Linux 2023, size)' if problems else 'ok'}"
                  f" ({os.path.getsize(archive)} bytes, highest GLIBC_{highest_glibc(archive)})")
            failed |= bool(problems)
        return 1 if failed else 0

    os.makedirs(args.out, exist_ok=True)
    made = []
    if args.only in (None, "lambda"):
        with tempfile.TemporaryDirectory() as root:
            stage(os.path.join(args.build_dir, "src/lambda/bootstrap"), root, "bootstrap", "lib")
            out = os.path.join(args.out, "dr-controller-lambda.zip")
            write_zip(root, out)
            made.append(out)
    if args.only in (None, "app"):
        app = os.path.join(args.build_dir, "src/app/dr-app")
        version = run(app, "--version").split()[-1]
        arch = os.uname().machine
        with tempfile.TemporaryDirectory() as root:
            stage(app, root, "bin/dr-app", "lib")
            out = os.path.join(args.out, f"dr-app-{version}-linux-{arch}.tar.gz")
            write_tar_gz(root, out)
            made.append(out)
    for out in made:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
