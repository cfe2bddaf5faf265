Attribute VB_Name = "WACheck"
' The WhatsApp Check ribbon tab. Each button asks the xlwings add-in to run the matching
' Python entry point in xl_wacheck.excel; all the work happens there, in the background.
' xlwings is called through Application.Run rather than a project reference, because a
' reference stores a machine-specific path and a broken one stops the whole project.
' The callbacks take "As Object": IRibbonControl would need the Office type library.
Option Explicit

Private Const TITLE As String = "WhatsApp Check"

Private Sub RunEntryPoint(ByVal entryPoint As String)
    On Error GoTo NoXlwings
    Application.Run "'xlwings.xlam'!RunPython", _
        "import xl_wacheck.excel as wa; wa." & entryPoint & "()"
    Exit Sub
NoXlwings:
    MsgBox "WhatsApp Check needs the xlwings add-in, which is not loaded." & vbCrLf & vbCrLf & _
        "Install it once from a command prompt with:" & vbCrLf & _
        "    xlwings addin install" & vbCrLf & _
        "then restart Excel.", vbExclamation, TITLE
End Sub

Public Sub WACheck_Run(control As Object)
    RunEntryPoint "check_selection"
End Sub

Public Sub WACheck_Refresh(control As Object)
    RunEntryPoint "refresh"
End Sub

Public Sub WACheck_Cancel(control As Object)
    RunEntryPoint "cancel"
End Sub

Public Sub WACheck_Settings(control As Object)
    RunEntryPoint "settings"
End Sub

Public Sub WACheck_About(control As Object)
    RunEntryPoint "about"
End Sub

' Proves the project compiled: writes a marker into the first sheet's cell Z1.
' Used by the build's tests (a module that does not compile is skipped silently).
Public Sub WACheck_SelfTest()
    ThisWorkbook.Worksheets(1).Range("Z1").Value = "WACheck self-test OK"
End Sub
