# salint in a container: the static musl binary on distroless's static base (CA
# certificates, /etc/passwd with `nonroot`, no shell, no libc), run as that user.
#
#   docker build -t salint .
#   docker run --rm -v "$PWD:/src" -w /src salint check .
#
# Kustomize and Helm are not in the image: without them salint lints Kustomize roots'
# plain resources and skips charts, and says so (see the README).

# Alpine's Rust targets musl and links it statically.
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /build
# What `cargo build` reads: the manifest, the lock file, the patched YAML parser it points
# at, the sources, and what they embed (rule docs, built-in roles); the bench is declared in
# Cargo.toml, so it must exist. tests/workflows.rs checks this list against the sources.
COPY Cargo.toml Cargo.lock ./
COPY vendor vendor
COPY src src
COPY rules rules
COPY data data
COPY benches benches
RUN cargo build --release --locked --bin salint \
    && cp target/release/salint /salint \
    && /salint --version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /salint /usr/local/bin/salint
USER nonroot:nonroot
WORKDIR /src
ENTRYPOINT ["salint"]
CMD ["--help"]
