# irsalint as a container: a static binary on a distroless base, run as a
# non-root user. The default command lints the repository mounted at /src:
#   docker run --rm -v "$PWD:/src:ro" IMAGE
FROM golang:1.26 AS build
WORKDIR /build
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=0.0.0-dev
RUN CGO_ENABLED=0 go build -trimpath -tags kustomize_disable_go_plugin_support \
    -ldflags "-s -w -X main.Version=${VERSION}" -o /irsalint ./cmd/irsalint

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /irsalint /usr/local/bin/irsalint
USER nonroot:nonroot
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/irsalint"]
CMD ["lint", "/src"]
