# Builds the installable Fw package from a built checkout (`make package` builds what it needs first):
#   out/Fw/<ModuleVersion>/          the module folder an admin copies or installs
#   out/repo/Fw.<ModuleVersion>.nupkg the same, published to a local FileSystem repository (Publish-PSResource)
# The package manifest is written from ./Fw.psd1 (one source for version, exports and metadata): only the
# paths of the root module and the views change, because Fw.dll and the views sit at the package root.
# Usage: pwsh -File tools/package.ps1 [-Out out]. Run it with XDG_DATA_HOME/XDG_CONFIG_HOME pointing at a
# scratch folder (the Makefile does) so the repository registration stays out of the user's PSResourceGet
# settings.
param([string] $Out = 'out')
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$repo = (Resolve-Path ([System.IO.Path]::Combine($PSScriptRoot, '..'))).Path
function RepoPath([string] $relative) { [System.IO.Path]::Combine($repo, $relative) }
$outRoot = if ([System.IO.Path]::IsPathRooted($Out)) { $Out } else { RepoPath $Out }

$manifestPath = RepoPath 'Fw.psd1'
$data = Import-PowerShellDataFile -LiteralPath $manifestPath
$version = $data.ModuleVersion
$package = [System.IO.Path]::Combine($outRoot, 'Fw', $version)
$runtimes = @(
    @{ Rid = 'win-x64'; File = 'fwcore.dll' }
    @{ Rid = 'win-x86'; File = 'fwcore.dll' }
    @{ Rid = 'linux-x64'; File = 'fwcore.so' }
)

# 1. The inputs, all of them, before anything is written.
$inputs = [ordered]@{
    'Fw.dll'                  = RepoPath 'bin/Fw.dll'
    'en-US/Fw.dll-Help.xml'   = RepoPath 'en-US/Fw.dll-Help.xml'
    'LICENSE'                 = RepoPath 'LICENSE'
    'samples/director.log'    = RepoPath 'docs/samples/director.log'
    'samples/director-rules.txt' = RepoPath 'docs/samples/director-rules.txt'
}
foreach ($about in Get-ChildItem -LiteralPath (RepoPath 'module/help') -Filter 'about_*.help.txt') {
    $inputs["en-US/$($about.Name)"] = $about.FullName
}
foreach ($format in @($data.FormatsToProcess) + @($data['TypesToProcess'] | Where-Object { $_ })) {
    $inputs[[System.IO.Path]::GetFileName($format)] = RepoPath $format
}
foreach ($r in $runtimes) {
    # Native libraries come from build/package/<rid> (tools/package.sh builds them with static runtimes).
    $inputs["$($r.Rid)/$($r.File)"] = RepoPath "build/package/$($r.Rid)/$($r.File)"
}
$missing = @($inputs.GetEnumerator() | Where-Object { -not [System.IO.File]::Exists($_.Value) } | ForEach-Object { $_.Value })
if ($missing) { throw "package: missing input(s) (run 'make package'): $($missing -join ', ')" }

# 2. The folder.
if ([System.IO.Directory]::Exists($package)) { [System.IO.Directory]::Delete($package, $true) }
foreach ($entry in $inputs.GetEnumerator()) {
    $target = [System.IO.Path]::Combine($package, $entry.Key)
    [void][System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($target))
    [System.IO.File]::Copy($entry.Value, $target)
}

# The scheduled-task script, extracted from docs/scheduled-task.md (the block the test suite runs).
$doc = [System.IO.File]::ReadAllText((RepoPath 'docs/scheduled-task.md'))
$m = [regex]::Match($doc, '<!-- fw-script:begin -->\s*```powershell\r?\n(?<code>.*?)```\s*<!-- fw-script:end -->', 'Singleline')
if (-not $m.Success) { throw "package: docs/scheduled-task.md has no fw-script block" }
[System.IO.File]::WriteAllText([System.IO.Path]::Combine($package, 'samples', 'Invoke-FwDropReport.ps1'),
    $m.Groups['code'].Value, [System.Text.UTF8Encoding]::new($true))

# 3. The manifest: ./Fw.psd1 with the package paths.
$text = [System.IO.File]::ReadAllText($manifestPath)
function Replace-Once([string] $text, [string] $old, [string] $new) {
    $n = ([regex]::Matches($text, [regex]::Escape($old))).Count
    if ($n -ne 1) { throw "package: expected $old exactly once in Fw.psd1, found $n" }
    $text.Replace($old, $new)
}
$text = Replace-Once $text "RootModule             = 'bin/Fw.dll'" "RootModule             = 'Fw.dll'"
foreach ($format in @($data.FormatsToProcess) + @($data['TypesToProcess'] | Where-Object { $_ })) {
    $text = Replace-Once $text "'$format'" "'$([System.IO.Path]::GetFileName($format))'"
}
$text = $text -replace '(?s)^#.*?\r?\n@\{', "#`n# Module manifest for Fw $version (package layout, written by tools/package.ps1 from the source Fw.psd1).`n#`n@{"
$packageManifest = [System.IO.Path]::Combine($package, 'Fw.psd1')
[System.IO.File]::WriteAllText($packageManifest, $text, [System.Text.UTF8Encoding]::new($true))

# 4. Checks: the manifest is valid, exports and metadata equal the source's, every file it names is there.
$packaged = Import-PowerShellDataFile -LiteralPath $packageManifest
foreach ($key in $data.Keys) {
    if ($key -in 'RootModule', 'FormatsToProcess', 'TypesToProcess') { continue }
    $a = $data[$key] | ConvertTo-Json -Depth 5 -Compress
    $b = $packaged[$key] | ConvertTo-Json -Depth 5 -Compress
    if ($a -ne $b) { throw "package: manifest key $key differs from Fw.psd1" }
}
$info = Test-ModuleManifest -Path $packageManifest
if ($info.RootModule -ne 'Fw.dll') { throw "package: RootModule is '$($info.RootModule)', expected Fw.dll" }
foreach ($f in @($packaged.FormatsToProcess)) {
    if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($package, $f))) { throw "package: $f is named in the manifest but missing" }
}

# 5. Publish to the local FileSystem repository: out/repo/Fw.<version>.nupkg.
$repoFolder = [System.IO.Path]::Combine($outRoot, 'repo')
[void][System.IO.Directory]::CreateDirectory($repoFolder)
$nupkg = [System.IO.Path]::Combine($repoFolder, "Fw.$version.nupkg")
if ([System.IO.File]::Exists($nupkg)) { [System.IO.File]::Delete($nupkg) }
# PSResourceGet keeps its settings under LocalApplicationData; .NET answers '' for a folder that does not exist,
# and PSResourceGet would then write PSResourceGet/ and NuGet/ into the current folder.
if (-not [Environment]::GetFolderPath('LocalApplicationData') -or -not [Environment]::GetFolderPath('ApplicationData')) {
    throw 'package: the application data folders do not exist (create XDG_DATA_HOME and XDG_CONFIG_HOME first)'
}
$repoName = 'FwPackage-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSResourceRepository -Name $repoName -Uri $repoFolder -Trusted
try {
    Publish-PSResource -Path $package -Repository $repoName
}
finally {
    Unregister-PSResourceRepository -Name $repoName
}
if (-not [System.IO.File]::Exists($nupkg)) { throw "package: Publish-PSResource wrote no $nupkg" }

# 6. What was built.
Add-Type -AssemblyName System.IO.Compression.FileSystem
$zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
try { $entries = @($zip.Entries | ForEach-Object FullName) } finally { $zip.Dispose() }
foreach ($r in $runtimes) {
    if ($entries -notcontains "$($r.Rid)/$($r.File)") { throw "package: $nupkg lacks $($r.Rid)/$($r.File)" }
}
"package: $package"
Get-ChildItem -LiteralPath $package -Recurse -File | Sort-Object FullName | ForEach-Object {
    '  {0,9:N0}  {1}' -f $_.Length, $_.FullName.Substring($package.Length + 1).Replace('\', '/')
}
"package: $nupkg ($((Get-Item -LiteralPath $nupkg).Length.ToString('N0')) bytes, $($entries.Count) entries)"
