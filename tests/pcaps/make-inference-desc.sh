#!/bin/bash
# inference.desc: the FileDescriptorSet of inference.proto (the gRPC
# captures' service), for `netscope read --proto-descriptor inference.desc`
# in tests/golden.sh, tests/oracle.sh and tests/test_protobuf.c.  Written by
# protoc (here grpc_tools' protoc, Debian python3-grpc-tools; Debian's
# protoc or protoc-c write the same bytes with the same arguments).  Needs
# no root and no capture: run it whenever inference.proto changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
/usr/bin/python3 -m grpc_tools.protoc --include_imports -o inference.desc \
	-I. inference.proto
echo "wrote $PWD/inference.desc"
