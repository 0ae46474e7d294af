#!/usr/bin/env bash
# INJECT=privileged: front_end's manifest asks for a privileged container, as a careless change
# would. Edits the job's own copy of k8s/ only; the posture gate must then fail.
set -euo pipefail
sed -i 's/^\( *\)allowPrivilegeEscalation: false$/\1allowPrivilegeEscalation: true\n\1privileged: true/' k8s/front-end.yaml
echo "INJECT=privileged: k8s/front-end.yaml now asks for a privileged container"
