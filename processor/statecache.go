package processor

import (
	"encoding"
	"encoding/json"
	"reflect"
)

// stateCache is the optional capability of a record to keep the key's state
// decoded next to its bytes (EngineRipple's worker cache), so that a handler
// reading a key again does not decode it. Context finds it by type
// assertion; a record offers it only for state types that selfContained
// accepts.
type stateCache[S any] interface {
	// cachedState returns the key's state and whether it exists; ok is
	// false when the cache does not hold it decoded.
	cachedState() (s S, exists, ok bool)
	// keepState caches s as the decoding of the key's bytes as they are
	// now.
	keepState(s S)
}

// selfCoding are the interfaces of types that encode or decode themselves.
var selfCoding = []reflect.Type{
	reflect.TypeFor[json.Marshaler](), reflect.TypeFor[json.Unmarshaler](),
	reflect.TypeFor[encoding.TextMarshaler](), reflect.TypeFor[encoding.TextUnmarshaler](),
}

// selfContained reports whether values of t can be cached decoded: a copy
// shares nothing a handler could change in place (no map, slice, pointer,
// interface, channel, function or unsafe.Pointer anywhere in it; strings are
// immutable), so the cached value stays what was last decoded or set
// whatever a handler does with its copy; and no part of it is invisible
// to a codec (an unexported or json:"-" field, a type that encodes itself),
// so the cached value is what decoding its bytes would give. A type that
// fails is decoded for every event, as before.
func selfContained(t reflect.Type) bool {
	for _, i := range selfCoding {
		if reflect.PointerTo(t).Implements(i) {
			return false
		}
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return selfContained(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			hidden := !f.IsExported() && f.Name != "_" && !(f.Anonymous && f.Type.Kind() == reflect.Struct)
			if hidden || f.Tag.Get("json") == "-" || !selfContained(f.Type) {
				return false
			}
		}
		return true
	}
	return false // map, slice, pointer, interface, chan, func, unsafe.Pointer
}
