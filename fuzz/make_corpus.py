#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: fuzz/corpus/TARGET/seed-*.

Seeds are the modules' testdata, the examples, the texts embedded in the tests (raw strings
R"(...)" of the test files that feed a reader) and, for the image readers, small images built
here (docker save archive, OCI archive, layers as tar, gzip and zstd) around the testdata's
package databases. Reproducers that a fuzz run found live beside them as regress-*, and are kept:
this script only rewrites seed-* files.

usage: fuzz/make_corpus.py     (from anywhere; needs python3 and zstd)
"""
import glob, gzip, hashlib, io, json, os, re, subprocess, tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")
MAX_SEED = 32 << 10  # big seeds slow every run down; cut the larger ones at a line break
RAW = re.compile(r'R"([a-z]*)\((.*?)\)\1"', re.S)


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if len(data) > MAX_SEED:
        cut = data.rfind(b"\n", 0, MAX_SEED)
        data = data[: cut + 1 if cut > 0 else MAX_SEED]
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def files(target, *patterns):
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
            if os.path.isfile(path):
                put(target, os.path.relpath(path, ROOT), open(path, "rb").read())


def raw_strings(target, *test_files, keep=lambda s: True):
    for test in test_files:
        text = open(os.path.join(ROOT, test)).read()
        for i, m in enumerate(RAW.finditer(text)):
            if keep(m.group(2)):
                put(target, "%s-%d" % (os.path.basename(test), i), m.group(2))


def tar_bytes(members, fmt=tarfile.PAX_FORMAT):
    """members: (name, bytes | None for a directory | ('symlink'|'link', target))."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(data, tuple):
                info.type = tarfile.SYMTYPE if data[0] == "symlink" else tarfile.LNKTYPE
                info.linkname = data[1]
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def images():
    status = open(os.path.join(ROOT, "examples/acme-fitness/ci/base.status"), "rb").read()
    apk = open(os.path.join(ROOT, "src/scan/testdata/alpine-rootfs/lib/apk/db/installed"), "rb").read()
    debian = tar_bytes([
        ("etc", None),
        ("etc/os-release", b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n'),
        ("var/lib/dpkg/status", status),
        ("var/lib/dpkg/status.d/extra", status[: status.find(b"\n\n") + 1]),
        ("usr/lib/os-release", ("link", "etc/os-release")),
        ("bin", ("symlink", "usr/bin")),
        ("tmp/.wh.gone", b""),
        ("opt/.wh..wh..opq", b""),
    ])
    alpine = tar_bytes([
        ("etc/os-release", b"ID=alpine\nVERSION_ID=3.18.4\n"),
        ("lib/apk/db/installed", apk[:1200]),
    ], fmt=tarfile.GNU_FORMAT)
    zstd = subprocess.run(["zstd", "-q", "-c"], input=debian, capture_output=True, check=True).stdout
    for name, layer in [("debian.tar", debian), ("alpine-gnu.tar", alpine),
                        ("debian.tar.gz", gzip.compress(debian, mtime=0)), ("debian.tar.zst", zstd)]:
        put("layer_fuzz", name, layer)

    # docker save: manifest.json, the config with its diff_ids, one directory per layer.
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": [sha(debian), sha(alpine)]}}).encode()
    manifest = json.dumps([{"Config": "config.json", "RepoTags": ["shop/cart:1.0"],
                            "Layers": ["l1/layer.tar", "l2/layer.tar"]}]).encode()
    put("image_archive_fuzz", "docker-save.tar", tar_bytes([
        ("manifest.json", manifest), ("config.json", config),
        ("l1/layer.tar", debian), ("l2/layer.tar", alpine)]))
    # docker >= 25 saves OCI blobs, and links a duplicate layer.
    gz = gzip.compress(debian, mtime=0)
    manifest25 = json.dumps([{"Config": "blobs/sha256/" + sha(config)[7:],
                              "Layers": ["blobs/sha256/" + sha(gz)[7:], "dup.tar"]}]).encode()
    put("image_archive_fuzz", "docker-save-25.tar", tar_bytes([
        ("manifest.json", manifest25), ("blobs/sha256/" + sha(config)[7:], config),
        ("blobs/sha256/" + sha(gz)[7:], gz), ("dup.tar", ("symlink", "blobs/sha256/" + sha(gz)[7:]))]))
    # An OCI archive: oci-layout, index.json, the manifest, config and a gzip layer as blobs.
    layer_desc = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(gz),
                  "size": len(gz)}
    oci_manifest = json.dumps({"schemaVersion": 2,
                               "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                          "digest": sha(config), "size": len(config)},
                               "layers": [layer_desc]}).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(oci_manifest),
         "size": len(oci_manifest), "platform": {"os": "linux", "architecture": "amd64"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(oci_manifest),
         "size": len(oci_manifest), "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(oci_manifest),
         "size": len(oci_manifest), "platform": {"os": "unknown", "architecture": "unknown"}}]}).encode()
    put("image_archive_fuzz", "oci-archive.tar", tar_bytes([
        ("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'), ("index.json", index),
        ("blobs/sha256/" + sha(oci_manifest)[7:], oci_manifest),
        ("blobs/sha256/" + sha(config)[7:], config), ("blobs/sha256/" + sha(gz)[7:], gz)]))
    put("oci_layout_fuzz", "manifest.json", oci_manifest)
    put("oci_layout_fuzz", "index.json", index)
    put("oci_layout_fuzz", "manifest-missing-layer.json", json.dumps(
        {"schemaVersion": 2, "layers": [{"digest": "sha256:" + "0" * 64}, {"digest": "md5:x"}]}))


def main():
    files("yaml_parse_fuzz", "examples/**/*.yaml", "examples/**/*.yml", "examples/**/.gitlab-ci.yml",
          "src/*/testdata/**/*.yaml")
    raw_strings("yaml_parse_fuzz", "src/util/yaml_parse_test.cc", "src/util/yaml_test.cc",
                "src/util/yaml_parse_diff_test.cc")
    files("pipeline_fuzz", "examples/**/.gitlab-ci.yml")
    raw_strings("pipeline_fuzz", "src/pipeline/loader_test.cc", "src/pipeline/planner_test.cc",
                "src/runner/scheduler_test.cc", "tests/e2e/pipeline_run_test.cc",
                "tests/e2e/pipeline_semantics_test.cc", "tests/e2e/pipeline_realistic_test.cc",
                "tests/e2e/pipeline_errors_test.cc", keep=lambda s: ":" in s)
    # rules:if expressions as the tests and examples write them.
    exprs = set()
    for path in glob.glob(os.path.join(ROOT, "src/pipeline/*_test.cc")) + \
            glob.glob(os.path.join(ROOT, "examples/**/.gitlab-ci.yml"), recursive=True):
        for m in re.finditer(r"- if: (.*)", open(path).read()):
            exprs.add(m.group(1).strip().strip("'"))
        for m in re.finditer(r'(?:eval|evaluate_expression)\(\s*"((?:[^"\\]|\\.)*)"', open(path).read()):
            exprs.add(m.group(1).encode().decode("unicode_escape"))
    for i, e in enumerate(sorted(exprs)):
        put("expression_fuzz", "expr-%d" % i, e)
    files("dpkg_status_fuzz", "examples/acme-fitness/**/*.status", "examples/acme-fitness/ci/os-release",
          "src/scan/testdata/alpine-rootfs/etc/os-release")
    files("apk_installed_fuzz", "src/scan/testdata/alpine-rootfs/lib/apk/db/installed")
    files("osv_fuzz", "src/scan/testdata/osv/**/*.json", "examples/acme-fitness/vulndb/*.json")
    raw_strings("osv_fuzz", "src/scan/osv_import_test.cc", keep=lambda s: "{" in s)
    raw_strings("cyclonedx_fuzz", "tests/e2e/scan_cli_test.cc", "src/scan/inventory_test.cc",
                keep=lambda s: "bomFormat" in s or "components" in s)
    put("cyclonedx_fuzz", "minimal.json", json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.5",
        "metadata": {"component": {"type": "container", "name": "shop/cart"}},
        "components": [
            {"type": "operating-system", "name": "debian", "version": "12"},
            {"type": "library", "name": "libc6", "version": "2.36-9+deb12u3",
             "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&upstream=glibc&distro=debian-12",
             "properties": [{"name": "tollgate:source_package", "value": "glibc"}]},
            {"type": "library", "name": "musl", "version": "1.2.4-r2",
             "purl": "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4"}]}, indent=1))
    files("csv_reader_fuzz", "src/budget/testdata/*.csv")
    for i, c in enumerate([
            "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n,,\n\"\",\"{\"\"env\"\":\"\"prod\"\"}\",last",
            "\xef\xbb\xbfh1,h2\n\n\"multi\nline\",2\n",
            "a,\"b\"x\n", "a\rb\n", "\"never closed\n", "x,y" * 40 + "\n" + "\"q\"\",\"\"\n" * 30]):
        put("csv_reader_fuzz", "csv-%d" % i, c.encode("latin-1"))
    files("focus_fuzz", "src/budget/testdata/*.csv", "examples/acme-fitness/governance/*.csv")
    raw_strings("focus_fuzz", "src/budget/focus_source_test.cc", "src/budget/focus_parallel_test.cc",
                keep=lambda s: "BilledCost" in s)
    files("posture_fuzz", "src/posture/testdata/*.yaml", "src/posture/testdata/shop/*.yaml",
          "examples/acme-fitness/k8s/*.yaml")
    raw_strings("posture_fuzz", "src/posture/pss_test.cc", "src/posture/workload_test.cc",
                "src/posture/reader_test.cc", "src/posture/gate_test.cc",
                keep=lambda s: "kind" in s)
    files("terraform_plan_fuzz", "src/posture/testdata/plan.json")
    raw_strings("terraform_plan_fuzz", "src/posture/terraform_test.cc", keep=lambda s: "{" in s)
    files("slo_file_fuzz", "examples/slo/slo.yaml", "examples/slo/front-end-cpu.yaml",
          "examples/acme-fitness/performance/*-slo.yaml", "examples/acme-fitness/performance/front-end-cpu.yaml",
          "src/slo/testdata/*.yaml")
    raw_strings("slo_file_fuzz", "src/slo/slo_file_test.cc", "src/slo/scoring_test.cc",
                "tests/e2e/slo_sources_test.cc", "tests/e2e/slo_prometheus_test.cc",
                keep=lambda s: "objectives" in s)
    files("sli_map_fuzz", "examples/slo/sli.yaml", "examples/slo/wavefront-sli.yaml")
    raw_strings("sli_map_fuzz", "src/slo/sources_test.cc", "tests/e2e/slo_sources_test.cc",
                "tests/e2e/slo_prometheus_test.cc", keep=lambda s: "indicators" in s)
    raw_strings("prometheus_fuzz", "src/slo/sources_test.cc", keep=lambda s: "resultType" in s or "status" in s)
    raw_strings("wavefront_fuzz", "src/slo/sources_test.cc", keep=lambda s: "timeseries" in s)
    files("wavefront_fuzz", "src/slo/testdata/wavefront_server.py")
    files("scenario_fuzz", "examples/load/shop.yaml", "examples/acme-fitness/performance/shop.yaml")
    raw_strings("scenario_fuzz", "src/load/scenario_test.cc", "src/load/engine_test.cc",
                "tests/e2e/load_journey_test.cc", "tests/e2e/load_nginx_test.cc",
                keep=lambda s: "journeys" in s or "requests" in s)
    for i, r in enumerate([
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
            "HTTP/1.0 200 OK\r\n\r\nuntil close",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\nHTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\nContent-Length: 2\n\nok"]):
        put("http_response_fuzz", "response-%d" % i, r)
    for i, d in enumerate([
            "IMAGE=registry.local/shop/cart:1.4\nCART_DIGEST=sha256:abc\n",
            "A='single quoted'\nB=\"double \\\" quoted\"\n# a comment\n\nC=\n",
            "export D=1\r\nE = spaced\n"]):
        put("dotenv_fuzz", "build-%d.env" % i, d)
    images()


if __name__ == "__main__":
    main()
