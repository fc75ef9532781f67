package promemu

// #include "zwrap.h"
import "C"

import (
	"runtime"
	"strings"
)

// Prometheus 3 names. Metric and label names may be any UTF-8 (app.requests_total, label
// http.method) unless legacy validation is switched on; how a name outside the legacy character
// set is written is the exposition's name escaping, which a scraper chooses with the escaping
// parameter of its Accept header. The library validates, escapes and negotiates; these are the
// switches and the names, with prometheus/common/model's names and values.

// EscapingScheme is how names outside the legacy character set are written (pe_escaping), with
// the names and values of prometheus/common's model.EscapingScheme:
//
//	NoEscaping            PE_ESCAPING_ALLOW_UTF8   escaping=allow-utf-8   as they are, quoted in text ({"app.requests_total"})
//	UnderscoreEscaping    PE_ESCAPING_UNDERSCORES  escaping=underscores   each character outside the set becomes _
//	DotsEscaping          PE_ESCAPING_DOTS         escaping=dots          . becomes _dot_, _ becomes __, others __
//	ValueEncodingEscaping PE_ESCAPING_VALUES       escaping=values        U__ prefix, _ doubled, others _<hex>_
//
// The legacy set is [a-zA-Z_:][a-zA-Z0-9_:]* for metric names and the same without ':' for
// label names (client_python's rule; model treats ':' in a label name as legacy). An exposition
// writes legacy names as they are under every scheme, as client_golang's encoder does; a family's
// other names are rewritten and its samples' suffixes follow (x.y_seconds: x_dot_y__seconds,
// x_dot_y__seconds_bucket). EscapeName is model.EscapeName itself, which under DotsEscaping
// rewrites legacy names too.
type EscapingScheme int

const (
	// NoEscaping writes names as they are: allow-utf-8, the default of OpenMetrics 2.0.
	NoEscaping EscapingScheme = C.PE_ESCAPING_ALLOW_UTF8
	// UnderscoreEscaping replaces each character outside the legacy set with '_': underscores,
	// the default of every format but OpenMetrics 2.0 (and what Prometheus 2 gets).
	UnderscoreEscaping EscapingScheme = C.PE_ESCAPING_UNDERSCORES
	// DotsEscaping writes '.' as _dot_, '_' as __ and any other character outside the set as
	// __: dots.
	DotsEscaping EscapingScheme = C.PE_ESCAPING_DOTS
	// ValueEncodingEscaping prefixes U__, doubles '_' and writes any other character outside
	// the set as _<hex code point>_: values.
	ValueEncodingEscaping EscapingScheme = C.PE_ESCAPING_VALUES
)

// String is the scheme's value of the escaping parameter, as model.EscapingScheme.String:
// allow-utf-8, underscores, dots or values.
func (e EscapingScheme) String() string {
	switch e {
	case NoEscaping:
		return "allow-utf-8"
	case UnderscoreEscaping:
		return "underscores"
	case DotsEscaping:
		return "dots"
	case ValueEncodingEscaping:
		return "values"
	}
	return "EscapingScheme(" + itoa(int(e)) + ")"
}

// ValidationScheme is which metric and label names are valid, with the names and values of
// prometheus/common's model.ValidationScheme (pe_name_validation):
//
//	UnsetValidation   PE_NAME_VALIDATION_DEFAULT  registries only: follow the process-wide setting
//	LegacyValidation  PE_NAME_VALIDATION_LEGACY   [a-zA-Z_:][a-zA-Z0-9_:]* metrics, [a-zA-Z_][a-zA-Z0-9_]* labels
//	UTF8Validation    PE_NAME_VALIDATION_UTF8     any non-empty UTF-8 (labels outside the reserved __ prefix)
type ValidationScheme int

const (
	// UnsetValidation, for Registry.SetNameValidationScheme, makes the registry follow the
	// process-wide setting (the default). SetNameValidationScheme refuses it.
	UnsetValidation ValidationScheme = iota
	// LegacyValidation accepts only the classic character sets.
	LegacyValidation
	// UTF8Validation accepts any non-empty UTF-8 name: the process-wide default, as
	// model.NameValidationScheme's.
	UTF8Validation
)

func (s ValidationScheme) String() string {
	switch s {
	case UnsetValidation:
		return "unset"
	case LegacyValidation:
		return "legacy"
	case UTF8Validation:
		return "utf8"
	}
	return "ValidationScheme(" + itoa(int(s)) + ")"
}

// cValidation maps a ValidationScheme to the library's value; an unknown one (below 0 or above 2)
// passes through as a value outside 0..2, which the library refuses (ErrInvalidValue).
func (s ValidationScheme) cValidation() C.pe_name_validation {
	switch s {
	case UnsetValidation:
		return C.PE_NAME_VALIDATION_DEFAULT
	case LegacyValidation:
		return C.PE_NAME_VALIDATION_LEGACY
	case UTF8Validation:
		return C.PE_NAME_VALIDATION_UTF8
	}
	return C.pe_name_validation(s)
}

// SetNameValidationScheme sets which names metrics made from now on may have, in the whole
// process, C and C++ code in it included (pe_set_name_validation): LegacyValidation makes a
// constructor refuse a name outside the legacy sets with ErrInvalidName, UTF8Validation (the
// default) takes any UTF-8 name. It is model.NameValidationScheme = scheme for this library;
// metrics made before keep their names. UnsetValidation or an unknown scheme is
// ErrInvalidValue.
func SetNameValidationScheme(scheme ValidationScheme) error {
	if scheme == UnsetValidation {
		return goError(StatusInvalidValue, "SetNameValidationScheme: UnsetValidation is for registries only")
	}
	return pe_set_name_validation(scheme.cValidation())
}

// NameValidationScheme is the process-wide setting of SetNameValidationScheme: UTF8Validation
// or LegacyValidation (pe_get_name_validation).
func NameValidationScheme() ValidationScheme {
	var scheme C.enum_pe_name_validation
	if err := pe_get_name_validation(&scheme); err != nil {
		panic(err)
	}
	if scheme == C.PE_NAME_VALIDATION_LEGACY {
		return LegacyValidation
	}
	return UTF8Validation
}

// SetNameValidationScheme sets which names the registry takes from now on
// (pe_registry_set_name_validation): LegacyValidation refuses to register a metric whose name or
// label names are outside the legacy sets (ErrInvalidName), UTF8Validation takes any name the
// metric was made with, UnsetValidation (the default) follows the process-wide
// SetNameValidationScheme. Metrics are validated with the process-wide setting when they are
// made, so a registry can be stricter than that setting, not looser. Collectors registered
// before stay.
func (r *Registry) SetNameValidationScheme(scheme ValidationScheme) error {
	if r.h == nil {
		return ErrClosed
	}
	err := pe_registry_set_name_validation(r.h, scheme.cValidation())
	runtime.KeepAlive(r)
	return err
}

// EscapeName rewrites a metric name with scheme exactly as prometheus/common's model.EscapeName
// does (pe_escape_name): NoEscaping returns it as it is (quoting is not escaping), and names in
// the legacy set are returned as they are by every scheme but DotsEscaping (the exposition leaves
// them alone under DotsEscaping too). For tools that show names the way a scraper will see them. A
// name that is not UTF-8 is ErrUTF8, one holding a NUL byte ErrInvalidValue, an unknown scheme
// ErrInvalidValue.
func EscapeName(name string, scheme EscapingScheme) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", goError(StatusInvalidValue, "EscapeName: the name holds a NUL byte")
	}
	c := cString(name)
	defer free(c)
	var out *C.char
	if err := pe_escape_name(c, C.pe_escaping(scheme), &out); err != nil {
		return "", err
	}
	defer C.pe_string_free(out)
	return C.GoString(out), nil
}
