module github.com/prometheus-emulator/promemu

go 1.26.0
