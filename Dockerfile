# syntax=docker/dockerfile:1
# Build: docker build --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) -t statefulguard:0.1.0 .
# The binary is native (Native AOT): the runtime image is Ubuntu chiseled runtime-deps, with no .NET runtime, no shell,
# no package manager, non-root by default.

# The SDK the lock files were made with: the native compiler's packages follow its runtime version (10.0.12).
FROM mcr.microsoft.com/dotnet/sdk:10.0.401 AS build
ARG VERSION=0.1.0
ARG REVISION=unknown
# Empty: the compiler's portable x86-64 baseline. Nodes known to have AVX2 (x86-64-v3) may set it for ~12 % more warm
# /mutate throughput (docs/performance.md); the binary then refuses to start on a CPU without it.
ARG INSTRUCTION_SET=
# The native link needs clang and zlib's headers.
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first, from the project files and lock files only, so the layer is reused until a dependency changes.
# Locked: exactly the packages (and hashes) the lock files name, or the build fails.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY .config/dotnet-tools.json .config/
COPY src/StatefulGuard.Core/StatefulGuard.Core.csproj src/StatefulGuard.Core/packages.lock.json src/StatefulGuard.Core/
COPY src/StatefulGuard.Generators/StatefulGuard.Generators.csproj src/StatefulGuard.Generators/packages.lock.json src/StatefulGuard.Generators/
COPY src/StatefulGuard/StatefulGuard.csproj src/StatefulGuard/packages.lock.json src/StatefulGuard/
RUN dotnet restore src/StatefulGuard/StatefulGuard.csproj -r linux-x64 --locked-mode && dotnet tool restore
COPY src/ src/
# Native AOT (the project's PublishAot): one self-contained binary, any trim or AOT warning an error. The version and
# the commit go into `statefulguard --version`; the publish writes the CycloneDX SBOM. Only what runs is kept: the
# binary, its settings and the SBOM (not the debug symbols).
RUN dotnet publish src/StatefulGuard/StatefulGuard.csproj -c Release -r linux-x64 --no-restore -o /publish \
      -p:Version="$VERSION" -p:SourceRevisionId="$REVISION" ${INSTRUCTION_SET:+-p:IlcInstructionSet=$INSTRUCTION_SET} \
 && mkdir /app && cp /publish/statefulguard /publish/appsettings.json /publish/sbom.cdx.json /app/

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="statefulguard" \
      org.opencontainers.image.description="Kubernetes admission webhook that keeps StatefulSets reachable and operable" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION"
WORKDIR /app
COPY --from=build /app ./
# The chiseled images run as the non-root "app" user (UID 1654); the Deployment pins the same UID.
USER 1654
# The base image asks for plain HTTP on 8080; the webhook serves HTTPS on 8443 instead.
# DOTNET_GCgen0size (hex: 16 MiB): the collector otherwise sizes gen0 from the L3 cache, and VMs that report a large one
# (260 MiB on the benchmark machine) get a 76 MB gen0 that stays resident (docs/performance.md, "Memory"). The native
# runtime reads it only from the environment.
ENV ASPNETCORE_HTTP_PORTS= \
    ASPNETCORE_URLS=https://+:8443 \
    DOTNET_GCgen0size=1000000 \
    StatefulGuard__LogFormat=Json
EXPOSE 8443
ENTRYPOINT ["/app/statefulguard"]
CMD ["serve"]
