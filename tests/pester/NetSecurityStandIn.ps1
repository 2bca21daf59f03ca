# A stand-in for the NetSecurity module's New-NetFirewallRule, for hosts without it (Linux, the test engine).
# Parameter names, aliases and types follow the documented cmdlet (shared/reference/formats.md 3.1/3.2,
# MSDocs New-NetFirewallRule): a misspelt parameter or a value of the wrong type fails like the real one.
# The CIM enumerations are declared with the cmdlet's type names and values. Each call that passes
# ShouldProcess is recorded in $global:FwStandInCalls (the bound parameters) and the rule it would create
# in $global:FwStandInRules (Name = rule ID, RuleString = the registry rule string built from the
# parameters, independently of Fw). Creating a rule whose ID exists fails like the real cmdlet.

enum Enabled { True = 1; False = 2 }
[Flags()] enum Profile { Any = 0; Domain = 1; Private = 2; Public = 4; NotApplicable = 65535 }
enum Direction { Inbound = 1; Outbound = 2 }
enum Action { NotConfigured = 0; Allow = 2; Block = 4 }
enum EdgeTraversal { Block = 0; Allow = 1; DeferToUser = 2; DeferToApp = 3 }
enum DynamicTransport { Any = 0; ProximityApps = 1; ProximitySharing = 2; WifiDirectPrinting = 3; WifiDirectDisplay = 4; WifiDirectDevices = 5 }
enum InterfaceType { Any = 0; Wired = 1; Wireless = 2; RemoteAccess = 4 }
enum Authentication { NotRequired = 0; Required = 1; NoEncap = 2 }
enum Encryption { NotRequired = 0; Required = 1; Dynamic = 2 }

$global:FwStandInCalls = [System.Collections.Generic.List[hashtable]]::new()
$global:FwStandInRules = [System.Collections.Generic.List[object]]::new()

function New-NetFirewallRule {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [string] $PolicyStore,
        [string] $GPOSession,
        [Alias('ID')] [string] $Name,
        [Parameter(Mandatory = $true)] [string] $DisplayName,
        [string] $Description,
        [string] $Group,
        [Enabled] $Enabled,
        [Profile] $Profile,
        [string[]] $Platform,
        [Direction] $Direction,
        [Action] $Action,
        [EdgeTraversal] $EdgeTraversalPolicy,
        [bool] $LooseSourceMapping,
        [bool] $LocalOnlyMapping,
        [string] $Owner,
        [string[]] $LocalAddress,
        [string[]] $RemoteAddress,
        [string] $Protocol,
        [string[]] $LocalPort,
        [string[]] $RemotePort,
        [string[]] $IcmpType,
        [DynamicTransport] $DynamicTarget,
        [string] $Program,
        [string] $Package,
        [string] $Service,
        [WildcardPattern[]] $InterfaceAlias,
        [InterfaceType] $InterfaceType,
        [string] $LocalUser,
        [string] $RemoteUser,
        [string] $RemoteMachine,
        [Authentication] $Authentication,
        [Encryption] $Encryption,
        [bool] $OverrideBlockRules,
        [string[]] $RemoteDynamicKeywordAddresses,
        [object[]] $CimSession, # CimSession[] in the real cmdlet (which also takes computer names); recorded only
        [int] $ThrottleLimit,
        [switch] $AsJob
    )
    if ($DisplayName -eq 'All') { throw "DisplayName cannot be set to All." }
    if (-not $Name) { $Name = '{' + [guid]::NewGuid().ToString().ToUpperInvariant() + '}' }
    if ($global:FwStandInRules | Where-Object { $_.Name -eq $Name }) {
        $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
            [System.IO.IOException]::new("Cannot create a file when that file already exists. (rule '$Name')"),
            'Windows System Error 183,New-NetFirewallRule', [System.Management.Automation.ErrorCategory]::ResourceExists, $Name))
        return
    }
    if (-not $PSCmdlet.ShouldProcess($DisplayName, 'New-NetFirewallRule')) { return }

    $call = @{}
    foreach ($k in $PSBoundParameters.Keys) { $call[$k] = $PSBoundParameters[$k] }
    $global:FwStandInCalls.Add($call)

    # The registry form ([MS-GPFAS] 2.2.2.19), as the firewall would store the new rule.
    $proto = switch ($Protocol) { 'TCP' { 6 } 'UDP' { 17 } 'ICMPv4' { 1 } 'ICMPv6' { 58 } '' { $null } default { [int]$Protocol } }
    $a = if ($PSBoundParameters.ContainsKey('Action')) { $Action } else { [Action]::Allow }
    $on = if ($PSBoundParameters.ContainsKey('Enabled') -and $Enabled -eq [Enabled]::False) { 'FALSE' } else { 'TRUE' }
    $dir = if ($Direction -eq [Direction]::Outbound) { 'Out' } else { 'In' }
    $s = "v2.30|Action=$a|Active=$on|Dir=$dir|"
    if ($null -ne $proto) { $s += "Protocol=$proto|" }
    foreach ($p in 'Domain', 'Private', 'Public') { if ($Profile -band [Profile]$p) { $s += "Profile=$p|" } }
    foreach ($lp in $LocalPort) { $s += 'LPort=' + $(if ($lp -eq 'RPCEPMap') { 'RPC-EPMap' } else { $lp }) + '|' }
    foreach ($rp in $RemotePort) { $s += "RPort=$rp|" }
    foreach ($t in $IcmpType) { $s += $(if ($proto -eq 58) { 'ICMP6' } else { 'ICMP4' }) + "=${t}:*|" }
    $keywords = @{ LocalSubnet = 'LocalSubnet'; DNS = 'DNS'; DHCP = 'DHCP'; WINS = 'WINS'; DefaultGateway = 'DefaultGateway' }
    $extended = @{ Internet = 'IntErnet'; Intranet = 'IntrAnet'; IntranetRemoteAccess = 'RmtIntrAnet'; PlayToDevice = 'Ply2Renders' }
    foreach ($ra in $RemoteAddress) {
        $base = $ra -replace '[46]$', ''
        $fam = if ($ra -match '4$' -and $base -ne $ra) { '4' } elseif ($ra -match '6$' -and $base -ne $ra) { '6' } else { '' }
        if ($ra -eq 'Any') { continue }
        elseif ($keywords.ContainsKey($base)) { foreach ($f in '4', '6') { if (-not $fam -or $fam -eq $f) { $s += "RA$f=$($keywords[$base])|" } } }
        elseif ($extended.ContainsKey($base)) { foreach ($f in '4', '6') { if (-not $fam -or $fam -eq $f) { $s += "RA${f}2=$($extended[$base])|" } } }
        elseif ($ra.Contains(':')) { $s += "RA6=$ra|" }
        else { $s += "RA4=$ra|" }
    }
    foreach ($la in $LocalAddress) {
        if ($la -eq 'Any') { continue }
        $s += $(if ($la.Contains(':')) { 'LA6=' } else { 'LA4=' }) + "$la|"
    }
    if ($Program) { $s += "App=$Program|" }
    $s += "Name=$DisplayName|"
    if ($Description) { $s += "Desc=$Description|" }
    if ($Group) { $s += "EmbedCtxt=$Group|" }
    $global:FwStandInRules.Add([pscustomobject]@{ Name = $Name; RuleString = $s })
    [pscustomobject]@{ PSTypeName = 'StandIn.MSFT_NetFirewallRule'; Name = $Name; DisplayName = $DisplayName; Enabled = $on }
}
