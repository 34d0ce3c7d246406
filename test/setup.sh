#!/bin/sh
# Installs what the test suite needs on Debian (run as root; CI runs it on a clean machine).
# Fails loudly when something cannot be installed: no test may skip for a missing tool.
set -eu
PKGS="groff-base groff man-db util-linux samba smbclient samba-testsuite python3-impacket"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "test/setup.sh: missing Debian packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "test/setup.sh: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# samba's packaging starts its daemons; the tests start their own, so keep them off.
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	rm -f /usr/sbin/policy-rc.d
fi
for tool in groff smbclient smbtorture rpcclient ndrdump setpriv unshare /usr/bin/python3; do
	command -v "$tool" >/dev/null || { echo "test/setup.sh: $tool is still missing" >&2; exit 1; }
done
/usr/bin/python3 -c 'import impacket' || { echo "test/setup.sh: python3-impacket is not importable by /usr/bin/python3" >&2; exit 1; }
