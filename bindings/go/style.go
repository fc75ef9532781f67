package promemu

// #include "zwrap.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// Style is how a registry writes its text expositions (pe_exposition_style): the number style,
// where _created series show, the order of the families, of OpenMetrics metadata lines and of
// the labels in a series. The
// values are the same in every style; only the text differs, and OpenMetrics 2.0 and protobuf
// keep their own rules. The zero value is the library's default, client_golang's text (see
// StyleClientGolang for the one difference); StyleClientPython writes what prometheus_client
// writes, as the Python binding's registries do.
type Style struct {
	Numbers     NumberStyle
	Created     CreatedSeries
	FamilyOrder FamilyOrder
	Metadata    MetadataOrder
	LabelOrder  LabelOrder
}

// NumberStyle is how the text formats write sample values (pe_number_style).
type NumberStyle int

const (
	// NumbersShortest writes the shortest text that reads back as the value, integers without
	// a point (1, 123456789): client_golang's, the default.
	NumbersShortest NumberStyle = C.PE_NUMBERS_SHORTEST
	// NumbersPython writes as client_python's floatToGoString: 1.0, 0.25, 1.23456789e+08,
	// counts as floats.
	NumbersPython NumberStyle = C.PE_NUMBERS_PYTHON
)

// CreatedSeries is where counters, histograms and summaries show their _created series
// (pe_created_series).
type CreatedSeries int

const (
	// CreatedOpenMetrics shows them in OpenMetrics only: client_golang's, the default.
	CreatedOpenMetrics CreatedSeries = C.PE_CREATED_OPENMETRICS
	// CreatedEverywhere shows them in OpenMetrics, and in the Prometheus text formats as a
	// <name>_created gauge family after each family: client_python's.
	CreatedEverywhere CreatedSeries = C.PE_CREATED_EVERYWHERE
	// CreatedNowhere shows them nowhere: client_python's disable_created_metrics().
	CreatedNowhere CreatedSeries = C.PE_CREATED_NOWHERE
)

// FamilyOrder is the order of the families in an exposition (pe_family_order).
type FamilyOrder int

const (
	// FamiliesSorted sorts them by name, bytewise: client_golang's, the default.
	FamiliesSorted FamilyOrder = C.PE_FAMILIES_SORTED
	// FamiliesRegistration keeps them in registration order: client_python's.
	FamiliesRegistration FamilyOrder = C.PE_FAMILIES_REGISTRATION
)

// MetadataOrder is the order of an OpenMetrics family's metadata lines (pe_metadata_order).
type MetadataOrder int

const (
	// MetadataTypeFirst writes # TYPE, # UNIT, # HELP, as the examples of the OpenMetrics 1.0
	// specification: the default.
	MetadataTypeFirst MetadataOrder = C.PE_METADATA_TYPE_FIRST
	// MetadataHelpFirst writes # HELP first, then # TYPE and # UNIT, as client_golang and
	// client_python write it.
	MetadataHelpFirst MetadataOrder = C.PE_METADATA_HELP_FIRST
)

// LabelOrder is the order of the labels in a series (pe_label_order).
type LabelOrder int

const (
	// LabelsDeclared writes the family's label names as declared, then le, quantile or the
	// state: the default.
	LabelsDeclared LabelOrder = C.PE_LABELS_DECLARED
	// LabelsSorted sorts them by name, le, quantile, info and state labels among them:
	// client_python's.
	LabelsSorted LabelOrder = C.PE_LABELS_SORTED
)

// The styles of the two reference clients.
var (
	// StyleClientGolang is client_golang's text (expfmt's): the default but for the order of
	// the OpenMetrics metadata lines, which expfmt writes HELP first.
	StyleClientGolang = Style{Metadata: MetadataHelpFirst}
	// StyleClientPython is prometheus_client's: floatToGoString numbers, _created gauge
	// families in the Prometheus text formats, registration order, HELP first, labels sorted.
	StyleClientPython = Style{
		Numbers:     NumbersPython,
		Created:     CreatedEverywhere,
		FamilyOrder: FamiliesRegistration,
		Metadata:    MetadataHelpFirst,
		LabelOrder:  LabelsSorted,
	}
)

// SetStyle sets how every exposition of the registry is written from now on: by WriteText,
// Expose and their variants, Handler, StartServer and pushes (pe_registry_set_style). On a view
// from Wrap or WrapRegistererWith it styles the root registry. A field outside its constants is
// ErrInvalidValue, and changes nothing. An exposition running meanwhile uses the old style or the
// new one, whole. Gather, which returns values, is the same in every style.
func (r *Registry) SetStyle(style Style) error {
	if r.h == nil {
		return ErrClosed
	}
	c := C.struct_pe_exposition_style{
		numbers:      C.uint64_t(style.Numbers),
		created:      C.uint64_t(style.Created),
		family_order: C.uint64_t(style.FamilyOrder),
		metadata:     C.uint64_t(style.Metadata),
		label_order:  C.uint64_t(style.LabelOrder),
	}
	c.struct_size = C.size_t(unsafe.Sizeof(c))
	err := pe_registry_set_style(r.h, &c)
	runtime.KeepAlive(r)
	return err
}

// Style returns the registry's style (pe_registry_get_style): Style{} unless SetStyle changed it
// (or C code did, with pe_registry_set_style).
func (r *Registry) Style() (Style, error) {
	if r.h == nil {
		return Style{}, ErrClosed
	}
	var c C.struct_pe_exposition_style
	c.struct_size = C.size_t(unsafe.Sizeof(c))
	err := pe_registry_get_style(r.h, &c)
	runtime.KeepAlive(r)
	if err != nil {
		return Style{}, err
	}
	return Style{
		Numbers:     NumberStyle(c.numbers),
		Created:     CreatedSeries(c.created),
		FamilyOrder: FamilyOrder(c.family_order),
		Metadata:    MetadataOrder(c.metadata),
		LabelOrder:  LabelOrder(c.label_order),
	}, nil
}
