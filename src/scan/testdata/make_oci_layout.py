#!/usr/bin/env python3
"""Writes an OCI image layout from directories, one layer per directory, for the scan tests.

umoci 0.4.7 as packaged in Debian 12 truncates the gzip stream of the layers it writes, so the
tests build layouts with this script and let skopeo (the real peer) convert and push them.

usage: make_oci_layout.py OUT TAG [--arch amd64] [--compression gzip|zstd|none] LAYER_DIR...
A file named ".wh.NAME" or ".wh..wh..opq" in a layer directory goes into the layer as is: a
whiteout. An existing layout at OUT gets the new image added to its index (another platform).
"""
import argparse, hashlib, io, json, os, subprocess, tarfile

MEDIA = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "none": "application/vnd.oci.image.layer.v1.tar",
}


def put_blob(out, data):
    digest = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


def layer_tar(directory):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for root, dirs, files in os.walk(directory):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                path = os.path.join(root, name)
                arc = os.path.relpath(path, directory)
                info = tar.gettarinfo(path, arcname=arc)
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                info.mtime = 0
                if info.isfile():
                    with open(path, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    return buf.getvalue()


def compress(data, how):
    if how == "gzip":
        return subprocess.run(["gzip", "-n", "-c"], input=data, capture_output=True, check=True).stdout
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout
    return data


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("tag")
    p.add_argument("--arch", default="amd64")
    p.add_argument("--compression", default="gzip", choices=sorted(MEDIA))
    p.add_argument("layers", nargs="+")
    a = p.parse_args()
    layers, diff_ids = [], []
    for d in a.layers:
        raw = layer_tar(d)
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        digest, size = put_blob(a.out, compress(raw, a.compression))
        layers.append({"mediaType": MEDIA[a.compression], "digest": digest, "size": size})
    config = {"architecture": a.arch, "os": "linux", "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    cdigest, csize = put_blob(a.out, json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": cdigest, "size": csize},
                "layers": layers}
    mdigest, msize = put_blob(a.out, json.dumps(manifest).encode())
    index_path = os.path.join(a.out, "index.json")
    index = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
    index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "digest": mdigest, "size": msize,
                               "platform": {"architecture": a.arch, "os": "linux"},
                               "annotations": {"org.opencontainers.image.ref.name": a.tag}})
    with open(index_path, "w") as f:
        json.dump(index, f)
    with open(os.path.join(a.out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(mdigest)


if __name__ == "__main__":
    main()
