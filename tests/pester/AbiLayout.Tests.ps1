# The module's P/Invoke structs (module/Native/FwNative.*.cs) have the layout the C compiler gives the public
# structs of native/include/fw/: same size, every field at the same offset with the same size.
#
# The C side is the table <build>/fw-abi-layout.txt that the native build writes (tests/native/abi/layout.c; the
# ctest abi_layout_complete checks it lists every struct and member of the headers). $env:FW_ABI_LAYOUT names
# another table. Every struct in the table is checked, so a struct added to the headers is checked once listed.
#
# Matching, by convention:
#   struct  fw_foo_bar   -> internal type Fw.Native.FwFooBar or Fw.Native.FwFooBarNative
#   field   foo_bar      -> field FooBar (case and underscores ignored); a C array may be spelled out as
#                           FooBar0, FooBar1, ... (consecutive fields that together cover the array)
# A C struct the module does not bind at all is listed in $FwAbiUnbound below with the functions that use it; the
# test fails if the module ever declares one of those functions without a struct for it.
BeforeDiscovery {
    $script:FwAbiLayoutPath = if ($env:FW_ABI_LAYOUT) { $env:FW_ABI_LAYOUT } else {
        [System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'build', 'release', 'fw-abi-layout.txt')
    }
    $script:FwAbiStructNames = @()
    if (Test-Path -LiteralPath $FwAbiLayoutPath) {
        $FwAbiStructNames = @(Get-Content -LiteralPath $FwAbiLayoutPath | Where-Object { $_ -like 'struct *' } |
            ForEach-Object { @{ Name = ($_ -split ' ')[1] } })
    }
}

BeforeAll {
    . $PSScriptRoot/Common.ps1

    $script:LayoutPath = if ($env:FW_ABI_LAYOUT) { $env:FW_ABI_LAYOUT } else {
        [System.IO.Path]::Combine($FwRepo, 'build', 'release', 'fw-abi-layout.txt')
    }

    # C structs the module does not marshal, and the C functions that take them.
    $script:FwAbiUnbound = @{
        fw_segment = @('fw_log_plan')   # the module reads through cursors, which plan themselves
        fw_plan    = @('fw_log_plan')
    }

    # Reads the table: name -> @{ Size; Align; Fields = list of @{ Name; Offset; Size } } (in order).
    function Read-FwAbiLayout([string] $Path) {
        $table = [ordered]@{}
        $pointerSize = $null
        foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
            if ($line -match 'pointer size (\d+)') { $pointerSize = [int]$Matches[1] }
            $cols = $line -split ' '
            switch ($cols[0]) {
                'struct' {
                    $table[$cols[1]] = @{ Size = [int]$cols[2]; Align = [int]$cols[3]
                        Fields = [System.Collections.Generic.List[object]]::new() }
                }
                'field' { $table[$cols[1]].Fields.Add(@{ Name = $cols[2]; Offset = [int]$cols[3]; Size = [int]$cols[4] }) }
            }
        }
        @{ PointerSize = $pointerSize; Structs = $table }
    }

    $script:FwAssembly = [System.AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { $_.GetName().Name -eq 'Fw' } | Select-Object -First 1
    $script:FwNativeTypes = @($FwAssembly.GetTypes() | Where-Object {
            $_.Namespace -eq 'Fw.Native' -and $_.IsValueType -and -not $_.IsEnum -and -not $_.IsNested
        })
    $script:FwImportedFunctions = @($FwAssembly.GetType('Fw.Native.FwNative', $true).GetMethods(
            [System.Reflection.BindingFlags]'Static, NonPublic, Public') | ForEach-Object {
            $import = $_.GetCustomAttributes([System.Runtime.InteropServices.DllImportAttribute], $false)
            if ($import) { if ($import[0].EntryPoint) { $import[0].EntryPoint } else { $_.Name } }
        })

    function ConvertTo-FwPascalName([string] $CName) {
        -join ($CName -split '_' | ForEach-Object { $_.Substring(0, 1).ToUpperInvariant() + $_.Substring(1) })
    }

    # The C# type for a C struct by the naming convention, or $null.
    function Find-FwManagedStruct([string] $CName) {
        $pascal = ConvertTo-FwPascalName $CName
        $FwNativeTypes | Where-Object { $_.Name -eq $pascal -or $_.Name -eq "${pascal}Native" } | Select-Object -First 1
    }

    function Get-FwMarshalSize([type] $Type) {
        if ($Type.IsEnum) { $Type = [System.Enum]::GetUnderlyingType($Type) }
        [System.Runtime.InteropServices.Marshal]::SizeOf([type]$Type)
    }

    # Differences between one C struct of the table and a C# type, as sentences (none when they agree).
    function Compare-FwStructLayout([string] $CName, $CStruct, [type] $Managed) {
        $problems = [System.Collections.Generic.List[string]]::new()
        $size = [System.Runtime.InteropServices.Marshal]::SizeOf([type]$Managed)
        if ($size -ne $CStruct.Size) {
            $problems.Add("$CName is $($CStruct.Size) bytes in C, $($Managed.FullName) is $size")
        }
        $norm = { param($n) $n.Replace('_', '').ToLowerInvariant() }
        $byC = @{}
        foreach ($f in $CStruct.Fields) { $byC[(& $norm $f.Name)] = [System.Collections.Generic.List[object]]::new() }
        $fields = $Managed.GetFields([System.Reflection.BindingFlags]'Instance, Public, NonPublic')
        foreach ($mf in $fields) {
            $key = & $norm $mf.Name
            if (-not $byC.Contains($key) -and $key -match '^(.*\D)\d+$' -and $byC.Contains($Matches[1])) { $key = $Matches[1] }
            $entry = @{
                Name   = $mf.Name
                Offset = [int][System.Runtime.InteropServices.Marshal]::OffsetOf([type]$Managed, $mf.Name)
                Size   = Get-FwMarshalSize $mf.FieldType
            }
            if ($byC.Contains($key)) { $byC[$key].Add($entry) }
            else { $problems.Add("$($Managed.Name).$($mf.Name) has no field in C struct $CName") }
        }
        foreach ($f in $CStruct.Fields) {
            $parts = @($byC[(& $norm $f.Name)] | Sort-Object { $_.Offset })
            if ($parts.Count -eq 0) {
                $problems.Add("${CName}.$($f.Name) (offset $($f.Offset), $($f.Size) bytes) has no field in $($Managed.Name)")
                continue
            }
            $names = ($parts | ForEach-Object { $_.Name }) -join ', '
            if ($parts[0].Offset -ne $f.Offset) {
                $problems.Add("${CName}.$($f.Name) is at offset $($f.Offset) in C, $($Managed.Name).$($parts[0].Name) at $($parts[0].Offset)")
            }
            $end = $parts[0].Offset
            foreach ($p in $parts) {
                if ($p.Offset -ne $end) { $problems.Add("$($Managed.Name).$($p.Name) does not follow on from the fields before it for ${CName}.$($f.Name)") }
                $end = $p.Offset + $p.Size
            }
            $total = ($parts | Measure-Object -Property Size -Sum).Sum
            if ($total -ne $f.Size) {
                $problems.Add("${CName}.$($f.Name) is $($f.Size) bytes in C, $($Managed.Name).$names $total")
            }
        }
        , $problems.ToArray()
    }

    if (-not (Test-Path -LiteralPath $LayoutPath)) {
        throw "No ABI layout table at '$LayoutPath': run 'make native' (it writes build/release/fw-abi-layout.txt), or set FW_ABI_LAYOUT."
    }
    $script:Layout = Read-FwAbiLayout $LayoutPath
}

Describe 'The P/Invoke structs match the C ABI layout table' {
    It 'has a table built for this process''s pointer size, listing the structs' {
        $Layout.PointerSize | Should -Be ([System.IntPtr]::Size)
        $Layout.Structs.Count | Should -BeGreaterThan 10
        $Layout.Structs['fw_record'].Size | Should -Be 136
    }

    It '<Name> has a C# counterpart with the same size and field offsets' -ForEach $FwAbiStructNames {
        $c = $Layout.Structs[$Name]
        $managed = Find-FwManagedStruct $Name
        if ($FwAbiUnbound.Contains($Name)) {
            $managed | Should -BeNullOrEmpty -Because "$Name is listed as not bound by the module; remove it from `$FwAbiUnbound now that it has a C# struct"
            foreach ($function in $FwAbiUnbound[$Name]) {
                $FwImportedFunctions | Should -Not -Contain $function -Because "$function takes $Name, which has no C# struct"
            }
            return
        }
        $managed | Should -Not -BeNullOrEmpty -Because "C struct $Name needs Fw.Native.$(ConvertTo-FwPascalName $Name) (or ...Native) in module/Native, or an entry in `$FwAbiUnbound"
        $layout = $managed.StructLayoutAttribute
        $layout.Value | Should -Not -Be ([System.Runtime.InteropServices.LayoutKind]::Auto)
        Compare-FwStructLayout $Name $c $managed | Should -BeNullOrEmpty
    }

    It 'leaves no C# struct in Fw.Native without a C struct' {
        $cNames = @($Layout.Structs.Keys | ForEach-Object { ConvertTo-FwPascalName $_ })
        $orphans = @($FwNativeTypes | Where-Object { $_.Name -notin $cNames -and $_.Name -notin ($cNames | ForEach-Object { "${_}Native" }) })
        $orphans.Name | Should -BeNullOrEmpty
    }

    It 'finds a wrong offset, a wrong size and a missing field (the comparison can fail)' {
        $record = Find-FwManagedStruct 'fw_record'
        $good = $Layout.Structs['fw_record']
        Compare-FwStructLayout 'fw_record' $good $record | Should -BeNullOrEmpty

        $moved = @{ Size = $good.Size; Align = $good.Align; Fields = @($good.Fields | ForEach-Object {
                    $f = $_.Clone(); if ($f.Name -eq 'line') { $f.Offset += 4 }; $f }) }
        Compare-FwStructLayout 'fw_record' $moved $record | Should -Match 'fw_record.line is at offset 20 in C, FwRecord.Line at 16'

        $grown = @{ Size = $good.Size + 8; Align = $good.Align; Fields = $good.Fields }
        Compare-FwStructLayout 'fw_record' $grown $record | Should -Match 'fw_record is 144 bytes in C'

        $extra = @{ Size = $good.Size; Align = $good.Align; Fields = @($good.Fields) + @(@{ Name = 'flow_id'; Offset = 136; Size = 8 }) }
        Compare-FwStructLayout 'fw_record' $extra $record | Should -Match 'fw_record.flow_id .* has no field in FwRecord'

        $dropped = @{ Size = $good.Size; Align = $good.Align; Fields = @($good.Fields | Where-Object { $_.Name -ne 'pid' }) }
        Compare-FwStructLayout 'fw_record' $dropped $record | Should -Match 'FwRecord.Pid has no field in C struct fw_record'

        # An array spelled out field by field (fw_synth_drop.reserved[3] is Reserved0..2) is one C field.
        $drop = $Layout.Structs['fw_synth_drop']
        Compare-FwStructLayout 'fw_synth_drop' $drop (Find-FwManagedStruct 'fw_synth_drop') | Should -BeNullOrEmpty
        $short = @{ Size = $drop.Size; Align = $drop.Align; Fields = @($drop.Fields | ForEach-Object {
                    $f = $_.Clone(); if ($f.Name -eq 'reserved') { $f.Size = 4 }; $f }) }
        Compare-FwStructLayout 'fw_synth_drop' $short (Find-FwManagedStruct 'fw_synth_drop') |
            Should -Match 'fw_synth_drop.reserved is 4 bytes in C, FwSynthDrop.Reserved0, Reserved1, Reserved2 3'
    }
}
