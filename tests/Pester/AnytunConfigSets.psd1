# The anytun-config command lines of the recorded vectors (vectors/controlplane/anytun-config), by file.
@{
    'set1-manpage-example.txt'        = '-w 0 -m 12 -K 0123456789ABCDEFFEDCBA9876543210 -A 0123456789ABCDDCBA9876543210 -R 192.0.2.0/24 -R 192.168.1.1/32 -e server'
    'set2-passphrase-ipv6-remote.txt' = '-m 1 -e client -E Creating_VPN_Tunnels_With_Anytun_Is_Easy -r 198.51.100.7 -o 4444 -R 192.168.123.1/32 -R fec0::1/128 -w 64'
    'set3-aes256-default-role.txt'    = '-m 3 -k aes-ctr-256 -E pass -R 10.0.0.0/8'
    'set4-null-kd.txt'                = '-m 4 -k null -R 172.16.0.0/12'
    'set5-no-options.txt'             = ''
    'set6-ipv6-remote.txt'            = '-m 7 -r ::1 -o 5555 -E x -e right'
}
