# Acceptance 3 of issue 7 (test/integration/rpc.test.ts): impacket lists the shares and enumerates the SAM
# users over \pipe\samr the way samrdump.py does, and prints one JSON object for the test to check.
# usage: impacket-rpc.py HOST PORT USER PASSWORD [DIALECT: 2.0.2, 2.1, 3.0, or highest]
import json
import sys

from impacket.dcerpc.v5 import samr, transport
from impacket.nt_errors import STATUS_MORE_ENTRIES
from impacket.smbconnection import SMBConnection, SMB2_DIALECT_002, SMB2_DIALECT_21, SMB2_DIALECT_30, SMB2_DIALECT_311

DIALECTS = {'2.0.2': SMB2_DIALECT_002, '2.1': SMB2_DIALECT_21, '3.0': SMB2_DIALECT_30, '3.1.1': SMB2_DIALECT_311}


def shares(host, port, user, password, dialect):
    conn = SMBConnection(host, host, sess_port=port, preferredDialect=DIALECTS.get(dialect), timeout=20)
    conn.login(user, password)
    out = []
    for s in conn.listShares():
        out.append({'name': s['shi1_netname'][:-1], 'type': s['shi1_type'], 'remark': s['shi1_remark'][:-1]})
    conn.logoff()
    return out


def users(host, port, user, password):
    rpc = transport.SMBTransport(host, port, r'\samr', user, password)
    dce = rpc.get_dce_rpc()
    dce.connect()
    dce.bind(samr.MSRPC_UUID_SAMR)
    server = samr.hSamrConnect(dce)['ServerHandle']
    domains = [d['Name'] for d in samr.hSamrEnumerateDomainsInSamServer(dce, server)['Buffer']['Buffer']]
    out = {'domains': domains, 'users': []}
    for domain in domains:
        if domain == 'Builtin':
            continue
        sid = samr.hSamrLookupDomainInSamServer(dce, server, domain)['DomainId']
        out['domainSid'] = sid.formatCanonical()
        handle = samr.hSamrOpenDomain(dce, server, domainId=sid)['DomainHandle']
        status = STATUS_MORE_ENTRIES
        context = 0
        while status == STATUS_MORE_ENTRIES:
            try:
                r = samr.hSamrEnumerateUsersInDomain(dce, handle, enumerationContext=context)
            except samr.DCERPCSessionError as e:
                if e.get_error_code() != STATUS_MORE_ENTRIES:
                    raise
                r = e.get_packet()
            for u in r['Buffer']['Buffer']:
                uh = samr.hSamrOpenUser(dce, handle, samr.MAXIMUM_ALLOWED, u['RelativeId'])['UserHandle']
                info = samr.hSamrQueryInformationUser2(dce, uh, samr.USER_INFORMATION_CLASS.UserAllInformation)['Buffer']['All']
                out['users'].append({'name': u['Name'], 'rid': u['RelativeId'], 'userName': info['UserName'], 'primaryGroup': info['PrimaryGroupId'], 'uac': info['UserAccountControl']})
                samr.hSamrCloseHandle(dce, uh)
            context = r['EnumerationContext']
            status = r['ErrorCode']
        samr.hSamrCloseHandle(dce, handle)
    samr.hSamrCloseHandle(dce, server)
    dce.disconnect()
    return out


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    dialect = sys.argv[5] if len(sys.argv) > 5 else None
    print(json.dumps({'shares': shares(host, port, user, password, dialect), 'sam': users(host, port, user, password)}))


main()
