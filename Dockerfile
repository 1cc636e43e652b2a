# syntax=docker/dockerfile:1
# The slim frontend image: one static binary on scratch, for every platform
# the build asks for. The compiler always runs on the build platform and
# cross-compiles (pure Go, CGO_ENABLED=0): no emulation.
# Build: docker buildx build -t org/slim .
#        docker buildx build --platform linux/amd64,linux/arm64 --push -t REGISTRY/org/slim .

FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY . .
ARG VERSION=dev
ARG TARGETOS TARGETARCH TARGETVARIANT
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} \
    go build -trimpath -tags slimimage -ldflags "-s -w -X main.version=${VERSION}" -o /out/slim-frontend ./cmd/slim-frontend

FROM scratch
COPY --from=build /out/slim-frontend /bin/slim-frontend
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
ENTRYPOINT ["/bin/slim-frontend"]
