// Wire constants of VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798).

/** IP protocol number of VRRP (RFC 3768 5.2.4, RFC 5798 5.1.1.4 / 5.1.2.3). */
export const VRRP_PROTOCOL = 112;

/** IPv4 multicast group of VRRP adverts (RFC 3768 5.2.2, RFC 5798 5.1.1.2). */
export const VRRP_MULTICAST_V4 = '224.0.0.18';

/** IPv6 multicast group of VRRP adverts (RFC 5798 5.1.2.2). */
export const VRRP_MULTICAST_V6 = 'ff02::12';

/** The only TTL / hop limit an advert may be sent or received with (RFC 3768 5.2.3, RFC 5798 5.1.1.3). */
export const VRRP_TTL = 255;

/** The only packet type: ADVERTISEMENT (RFC 3768 5.3.2, RFC 5798 5.2.2). */
export const VRRP_TYPE_ADVERTISEMENT = 1;

/** Length in bytes of the fixed header before the address list, both versions. */
export const VRRP_HEADER_LEN = 8;

/** Length in bytes of the v2 Authentication Data trailer (RFC 3768 5.3.10). */
export const VRRP_AUTH_DATA_LEN = 8;

/** Most addresses one advert can carry: the count field is one byte. */
export const VRRP_MAX_ADDRESSES = 255;

/** v2 Auth Type values (RFC 2338 5.3.6; RFC 3768 5.3.6 keeps 1 and 2 reserved for them). */
export const VRRP_AUTH_TYPE_NONE = 0;
export const VRRP_AUTH_TYPE_PASS = 1;
export const VRRP_AUTH_TYPE_AH = 2;

/** v2 Adver Int is whole seconds in one byte (RFC 3768 5.3.7): 1..255 s. */
export const VRRP_V2_ADVERT_INTERVAL_MIN_MS = 1_000;
export const VRRP_V2_ADVERT_INTERVAL_MAX_MS = 255_000;

/** v3 Max Adver Int is 12 bits of centiseconds (RFC 5798 5.2.7): 10..40950 ms in steps of 10. */
export const VRRP_V3_ADVERT_INTERVAL_MIN_MS = 10;
export const VRRP_V3_ADVERT_INTERVAL_MAX_MS = 40_950;

/**
 * keepalived 2.4 `auth_hmac`: the authenticated trailer after the VRRP message — scheme(1),
 * key id(1), reserved(2), seconds(4), 1/2^16 s(2), counter(2), HMAC-SHA256 cut to 16 bytes.
 */
export const AUTH_TRAILER_LEN = 28;
