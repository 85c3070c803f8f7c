# syntax=docker/dockerfile:1
# Build: docker build --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) -t statefulguard:0.1.0 .
# The runtime image is Ubuntu chiseled ASP.NET: no shell, no package manager, non-root by default.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG VERSION=0.1.0
ARG REVISION=unknown
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
# ReadyToRun: precompiled code shortens start-up (KubernetesClient.dll stays IL: see the project file). The version and
# the commit go into `statefulguard --version`; the publish writes the CycloneDX SBOM, /app/sbom.cdx.json.
RUN dotnet publish src/StatefulGuard/StatefulGuard.csproj -c Release -r linux-x64 --self-contained false \
      -p:PublishReadyToRun=true -p:UseAppHost=false --no-restore -o /app \
      -p:Version="$VERSION" -p:SourceRevisionId="$REVISION"

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
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
ENV ASPNETCORE_HTTP_PORTS= \
    ASPNETCORE_URLS=https://+:8443 \
    DOTNET_gcServer=0 \
    StatefulGuard__LogFormat=Json
EXPOSE 8443
ENTRYPOINT ["dotnet", "/app/statefulguard.dll"]
CMD ["serve"]
