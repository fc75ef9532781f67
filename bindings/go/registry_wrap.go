package promemu

// Wrapping registries: views whose registrations land in a parent registry with a prefix on every
// family name and labels in front of every series (pe_registry_wrap), client_golang's
// WrapRegistererWithPrefix and WrapRegistererWith.

// #include "zwrap.h"
import "C"

import (
	"runtime"
)

// Wrap returns a view of r (nil: DefaultRegistry) through which every collector registered lands
// in r with prefix in front of its family names ("" for none) and labels in front of its own
// labels, sorted by name (http_requests_total{env="prod",method="GET"}). Views of views add
// their prefixes and labels too: the outer view's come first
// (Wrap("app_", nil).Wrap("http_", nil) registers x as app_http_x).
//
// The view holds no collectors of its own: Expose, Gather and Handler on it render the registry
// at the root, Unregister through it removes a collector registered through it (so does
// Unregister on the root), and Close releases only the view's handle (it keeps r alive until
// then). At registration, a family that already has one of the labels is ErrInvalidName, and
// the prefixed sample names clash (ErrDuplicate) with those of the root like any other. An
// invalid or reserved label name, or a name twice, is ErrInvalidName here; invalid UTF-8
// ErrUTF8; a closed r ErrClosed.
func (r *Registry) Wrap(prefix string, labels Labels) (*Registry, error) {
	if r == nil {
		r = DefaultRegistry
	}
	if r.h == nil {
		return nil, ErrClosed
	}
	h, err := wrapRegistry(r.h, prefix, labels)
	runtime.KeepAlive(r)
	if err != nil {
		return nil, err
	}
	view := &Registry{h: h}
	runtime.SetFinalizer(view, (*Registry).release)
	return view, nil
}

// WrapRegistererWith is client_golang's WrapRegistererWith: reg.Wrap("", labels), a view of reg
// (nil: DefaultRegistry, where client_golang's view of nil drops every registration) adding
// labels to everything registered through it. Labels the library refuses make it panic with
// the error, as MustRegister does; Registry.Wrap returns the error instead.
func WrapRegistererWith(labels Labels, reg *Registry) *Registry {
	return must(reg.Wrap("", labels))
}

// WrapRegistererWithPrefix is client_golang's WrapRegistererWithPrefix: reg.Wrap(prefix, nil), a
// view of reg (nil: DefaultRegistry) prefixing the family names of everything registered
// through it. It panics when reg is closed; an invalid prefixed name is refused at registration.
func WrapRegistererWithPrefix(prefix string, reg *Registry) *Registry {
	return must(reg.Wrap(prefix, nil))
}

// wrapRegistry makes a pe_registry_wrap view of parent (nil: the default registry), the labels
// passed sorted by name. The caller owns the handle (pe_registry_free).
func wrapRegistry(parent *C.struct_pe_registry, prefix string, labels Labels) (*C.struct_pe_registry, error) {
	names, values := sortedPairs(labels)
	defer names.free()
	defer values.free()
	cPrefix := cString(prefix)
	defer free(cPrefix)
	var h *C.struct_pe_registry
	if err := pe_registry_wrap(parent, cPrefix, names.ptr(), values.ptr(), names.len(), &h); err != nil {
		return nil, err
	}
	return h, nil
}
