# enrol — the two commands are `make run` and `make test`; see README.md.
SHELL := /bin/bash
GO ?= go
PORT ?= 3000
# Every Lambda function's template logical id; <Name>Function lives in functions/<name>/.
FUNCTIONS := CatalogFunction BookingsFunction CentresFunction CityFunction SnapshotFunction
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w"
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0

.PHONY: run test vet staticcheck unit build clean bench fmt

## run: the whole system on this machine with demo data (API on 127.0.0.1:$(PORT))
run:
	PORT=$(PORT) $(GO) run ./infra/local/cmd/enrol-local

## test: every test, with the race detector, plus go vet and staticcheck.
## The end-to-end tests (infra/local) run on their own afterwards: their
## 300-way bursts measure the system, not the other packages' CPU use.
test: vet staticcheck
	$(GO) test -race -count=1 -timeout 9m $$($(GO) list ./... | grep -v '/infra/local$$')
	$(GO) test -race -count=1 -timeout 9m ./infra/local/

vet:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

fmt:
	gofmt -w .

## bench: the booking benchmarks, with figures
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## build: the arm64 bootstrap zips that SAM would deploy, without SAM, in build/
build:
	@set -e; for id in $(FUNCTIONS); do \
		$(MAKE) --no-print-directory build-$$id ARTIFACTS_DIR=build/$$id; \
		$(GO) run ./infra/zipbootstrap build/$$id/bootstrap build/$$id.zip; \
		echo "build/$$id.zip"; \
	done

clean:
	rm -rf build .aws-sam

# SAM's `BuildMethod: makefile` calls build-<LogicalId> with ARTIFACTS_DIR set;
# build-CatalogFunction builds ./functions/catalog/lambda, and so on.
build-%Function:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set"; exit 1; }
	@test -d functions/$(shell echo $* | tr A-Z a-z)/lambda || { echo "no functions/$(shell echo $* | tr A-Z a-z)/lambda"; exit 1; }
	mkdir -p $(ARTIFACTS_DIR)
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(shell echo $* | tr A-Z a-z)/lambda
