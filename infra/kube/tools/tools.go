//go:build tools

// Package tools records the commands infra/kube/fetch.sh builds, so that `go mod tidy` keeps their
// dependencies in go.sum. It is never compiled.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
