/* SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception */
/*
 * TCP MSS clamping: lower the MSS option of TCP SYNs crossing the VPN so
 * that the endpoints never send segments that would not fit the path MTU
 * towards the peer node (many networks drop the ICMP that PMTUD needs).
 */
#include "route_internal.h"

/* Offset of the TCP header in the frame, or 0 if b is not a first-fragment
 * IPv4/IPv6 TCP packet whose fixed TCP header lies entirely within b. */
static size_t tcp_offset(const struct px_buf *b) {
	size_t off = PX_ETH_HLEN;
	uint16_t type = frame_ethertype(b);

	if (type == ETHERTYPE_VLAN) {
		if (b->len < PX_ETH_HLEN + VLAN_TAG_LEN)
			return 0;
		type = rd16(b->data + off + 2);
		off += VLAN_TAG_LEN;
	}

	const uint8_t *ip = b->data + off;
	if (type == ETHERTYPE_IPV4) {
		if (b->len < off + IPV4_HLEN || (ip[0] >> 4) != 4)
			return 0;
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
		if (ihl < IPV4_HLEN || ip[9] != IPPROTO_TCP_ || (rd16(ip + 6) & 0x1fff))
			return 0;
		off += ihl;
	} else if (type == ETHERTYPE_IPV6) {
		/* Extension headers are not walked: SYNs carrying them are rare. */
		if (b->len < off + IPV6_HLEN || (ip[0] >> 4) != 6 || ip[6] != IPPROTO_TCP_)
			return 0;
		off += IPV6_HLEN;
	} else {
		return 0;
	}

	return b->len >= off + TCP_HLEN ? off : 0;
}

/* Rewrite a 16-bit field at `field` inside the TCP segment starting at `tcp`
 * and fix the checksum incrementally. A field at an odd offset straddles two
 * checksum words; in one's complement arithmetic that equals adding the
 * byte-swapped value, so swap both old and new values for the update. */
static void tcp_set16(uint8_t *tcp, uint8_t *field, uint16_t value) {
	uint16_t old_value = rd16(field);
	uint16_t old_word = old_value, new_word = value;

	if ((field - tcp) & 1) {
		old_word = (uint16_t)(old_value << 8 | old_value >> 8);
		new_word = (uint16_t)(value << 8 | value >> 8);
	}
	wr16(field, value);
	wr16(tcp + 16, csum_replace16(rd16(tcp + 16), old_word, new_word));
}

bool clamp_mss(struct px_buf *b, int mtu) {
	size_t off = tcp_offset(b);
	if (!off)
		return false;

	uint8_t *tcp = b->data + off;
	if (!(tcp[13] & 0x02)) /* SYN */
		return false;

	size_t doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < TCP_HLEN || off + doff > b->len)
		return false;

	int wanted = mtu - (int)off - TCP_HLEN;
	if (wanted <= 0)
		return false;

	size_t i = TCP_HLEN;
	while (i < doff) {
		uint8_t kind = tcp[i];
		if (kind == 0) /* end of options */
			break;
		if (kind == 1) { /* NOP */
			i++;
			continue;
		}
		if (i + 1 >= doff)
			break;
		size_t optlen = tcp[i + 1];
		if (optlen < 2 || i + optlen > doff)
			break; /* malformed: leave the packet alone */
		if (kind == 2 && optlen == 4) {
			if (rd16(tcp + i + 2) <= wanted)
				return false;
			tcp_set16(tcp, tcp + i + 2, (uint16_t)wanted);
			return true;
		}
		i += optlen;
	}
	return false;
}
