package main

// The name-escaping modes: what prometheus/common does with a name, and with a whole exposition,
// for each escaping scheme, so that the Rust tests can compare our bytes with its bytes.
//
//	parsers escape <scheme> < names.json      a JSON array of names, escaped with model.EscapeName
//	parsers reencode <format> <scheme> < body  delimited protobuf re-encoded by expfmt's encoder

import (
	"encoding/json"
	"fmt"
	"io"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// escapeNames writes model.EscapeName of each name in the JSON array read from in.
func escapeNames(schemeName string, in io.Reader, out io.Writer) error {
	scheme, err := model.ToEscapingScheme(schemeName)
	if err != nil {
		return err
	}
	var names []string
	if err := json.NewDecoder(in).Decode(&names); err != nil {
		return err
	}
	escaped := make([]string, len(names))
	for i, name := range names {
		escaped[i] = model.EscapeName(name, scheme)
	}
	return json.NewEncoder(out).Encode(escaped)
}

// reencode reads length-delimited MetricFamily messages and writes them with expfmt's encoder
// for format ("text" for 0.0.4, "openmetrics" for 1.0.0) with the escaping scheme, which applies
// model.EscapeMetricFamily, as client_golang's promhttp does.
func reencode(formatName, schemeName string, in io.Reader, out io.Writer) error {
	scheme, err := model.ToEscapingScheme(schemeName)
	if err != nil {
		return err
	}
	var format expfmt.Format
	switch formatName {
	case "text":
		format = expfmt.FmtText
	case "openmetrics":
		format = expfmt.FmtOpenMetrics_1_0_0
	default:
		return fmt.Errorf("unknown format %q", formatName)
	}
	encoder := expfmt.NewEncoder(out, format.WithEscapingScheme(scheme))
	decoder := expfmt.NewDecoder(in, expfmt.NewFormat(expfmt.TypeProtoDelim).WithEscapingScheme(model.NoEscaping))
	for {
		var family dto.MetricFamily
		if err := decoder.Decode(&family); err != nil {
			if err == io.EOF {
				break
			}
			return err
		}
		if err := encoder.Encode(&family); err != nil {
			return err
		}
	}
	if closer, ok := encoder.(expfmt.Closer); ok {
		return closer.Close()
	}
	return nil
}
