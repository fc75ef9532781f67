package promemu

import (
	"strconv"
	"strings"
	"unicode"
)

// Content negotiation for Handler.
//
// Stopgap: the C API has no negotiation function (the library negotiates inside its own HTTP
// exporter, src/exposition/negotiate.rs), so this is a line-by-line port of Format::negotiate and
// accepts_gzip. TestNegotiationMatchesNativeExporter checks it against the native exporter on the
// same headers; replace it with the C function once the library exports one.

// NegotiateFormat picks the exposition format for an Accept header: OpenMetrics when the header
// prefers it (q-values honoured, the most specific range deciding each format's q-value, unknown
// parameters ignored, unknown versions not acceptable), Prometheus text 0.0.4 otherwise, and for
// an empty or malformed header.
func NegotiateFormat(accept string) Format {
	var openMetrics, text *preference
	for position, element := range splitUnquoted(accept, ',') {
		r, ok := parseMediaRange(element)
		if !ok {
			continue
		}
		if s, ok := r.specificity("application", "openmetrics-text", "1.0.0", "0.0.1"); ok {
			keepMostSpecific(&openMetrics, s, r.q, position)
		}
		if s, ok := r.specificity("text", "plain", "0.0.4", "1.0.0"); ok {
			keepMostSpecific(&text, s, r.q, position)
		}
	}
	switch {
	case openMetrics != nil && text != nil && openMetrics.q > 0 && openMetrics.beats(text):
		return FormatOpenMetrics
	case openMetrics != nil && text == nil && openMetrics.q > 0:
		return FormatOpenMetrics
	}
	return FormatText
}

// AcceptsGzip reports whether an Accept-Encoding header allows gzip: gzip (or x-gzip) with a
// q-value above 0, or else * with a q-value above 0.
func AcceptsGzip(acceptEncoding string) bool {
	var gzip, any *float64
	for _, element := range splitUnquoted(acceptEncoding, ',') {
		parts := splitUnquoted(element, ';')
		coding := strings.TrimSpace(parts[0])
		p, ok := parseParams(parts[1:])
		if !ok {
			continue
		}
		var slot **float64
		switch {
		case strings.EqualFold(coding, "gzip") || strings.EqualFold(coding, "x-gzip"):
			slot = &gzip
		case coding == "*":
			slot = &any
		default:
			continue
		}
		q := p.q
		if *slot != nil {
			q = max(q, **slot)
		}
		*slot = &q
	}
	if gzip != nil {
		return *gzip > 0
	}
	return any != nil && *any > 0
}

type preference struct {
	specificity int // 0 */*, 1 type/*, 2 the exact type, 3 also a known version
	q           float64
	position    int
}

func keepMostSpecific(slot **preference, specificity int, q float64, position int) {
	current := *slot
	if current == nil || specificity > current.specificity || (specificity == current.specificity && q > current.q) {
		*slot = &preference{specificity: specificity, q: q, position: position}
	}
}

// beats: higher q-value, then the more specific range, then the range listed first.
func (p *preference) beats(other *preference) bool {
	if p.q != other.q {
		return p.q > other.q
	}
	if p.specificity != other.specificity {
		return p.specificity > other.specificity
	}
	return p.position < other.position
}

type mediaRange struct {
	kind, subtype string
	version       *string
	q             float64
}

func parseMediaRange(element string) (mediaRange, bool) {
	parts := splitUnquoted(element, ';')
	kind, subtype, ok := strings.Cut(strings.TrimSpace(parts[0]), "/")
	if !ok || !isToken(kind) || !isToken(subtype) || (kind == "*" && subtype != "*") {
		return mediaRange{}, false
	}
	p, ok := parseParams(parts[1:])
	if !ok {
		return mediaRange{}, false
	}
	return mediaRange{kind: kind, subtype: subtype, version: p.version, q: p.q}, true
}

func (r mediaRange) specificity(kind, subtype string, versions ...string) (int, bool) {
	if r.kind == "*" {
		return 0, true
	}
	if !strings.EqualFold(r.kind, kind) {
		return 0, false
	}
	if r.subtype == "*" {
		return 1, true
	}
	if !strings.EqualFold(r.subtype, subtype) {
		return 0, false
	}
	if r.version == nil {
		return 2, true
	}
	for _, v := range versions {
		if *r.version == v {
			return 3, true
		}
	}
	return 0, false
}

type params struct {
	version *string
	q       float64
}

// parseParams reads name=value parameters; false when one is malformed or q is not a q-value.
// Parameters after q are accept extensions, so a version there is ignored.
func parseParams(parts []string) (params, bool) {
	p := params{q: 1}
	afterQ := false
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return params{}, false
		}
		name = strings.TrimRightFunc(name, unicode.IsSpace)
		value, ok = unquote(strings.TrimLeftFunc(value, unicode.IsSpace))
		if !ok || !isToken(name) {
			return params{}, false
		}
		switch {
		case strings.EqualFold(name, "q"):
			if afterQ {
				continue
			}
			q, ok := parseQValue(value)
			if !ok {
				return params{}, false
			}
			p.q, afterQ = q, true
		case strings.EqualFold(name, "version") && !afterQ:
			v := value
			p.version = &v
		}
	}
	return p, true
}

// parseQValue: digits and at most one point, from 0 to 1.
func parseQValue(text string) (float64, bool) {
	digits, points := 0, 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return 0, false
		}
	}
	if digits == 0 || points > 1 {
		return 0, false
	}
	q, err := strconv.ParseFloat(text, 64)
	if err != nil || q < 0 || q > 1 {
		return 0, false
	}
	return q, true
}

func unquote(value string) (string, bool) {
	if rest, ok := strings.CutPrefix(value, `"`); ok {
		return strings.CutSuffix(rest, `"`)
	}
	return value, isToken(value)
}

// isToken: RFC 9110 token, one or more visible ASCII characters other than delimiters.
func isToken(text string) bool {
	if text == "" {
		return false
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		alnum := (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !alnum && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// splitUnquoted splits a header list on separator, except inside quoted strings.
func splitUnquoted(text string, separator byte) []string {
	var parts []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == separator && !quoted:
			parts = append(parts, text[start:i])
			start = i + 1
		}
	}
	return append(parts, text[start:])
}
