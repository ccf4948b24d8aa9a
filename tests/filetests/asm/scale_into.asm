# scale_into (array(float64, 1d, C), array(float64, 1d, C), float, int)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
  subq $0x10, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
block0:
  movq (%rdi), %r9
  movq 8(%rdi), %r8
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r10
  movq 0x20(%rdi), %r11
  movq 0x28(%rdi), %r11
  movq 0x30(%rdi), %r11
  movq 0x38(%rdi), %rax
  vmovsd 0x40(%rdi), %xmm1
  movq 0x48(%rdi), %rax
  jmp     label1
block1:
  movl 8(%rdx), %ebx
  cmpl %ebx, %ecx
  jnbe    label21; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %rax, %r12
  addq $0x0, %r12
  seto %cl
  cmpq %r11, %r12
  setg %r11b
  orl %ecx, %r11d
  testb %r11b, %r11b
  jnz     label5; j label6
block6:
  addq $0x0, %rax
  seto %r11b
  cmpq %rsi, %rax
  setg %al
  orl %r11d, %eax
  testb %al, %al
  jnz     label7; j label8
block8:
  movq (%rdi), %rax
  movq 0x10(%rdi), %rcx
  leaq (%rax, %rcx, 8), %rdx
  movq 0x20(%rdi), %rcx
  cmpq %rcx, %rdx
  setbe %r11b
  movq 0x30(%rdi), %rdx
  leaq (%rcx, %rdx, 8), %rdx
  cmpq %rax, %rdx
  setbe %dl
  orl %edx, %r11d
  uninit  %rdx
  xorq %rdx, %rdx
  movq 0x48(%rdi), %rsi
  leaq -4(%rsi), %r9
  movabsq $0x8000000000000000, %r8
  cmpq (%rip), %rsi
  cmovgeq %r9, %r8
  vmovsd 0x40(%rdi), %xmm0
  vpshufd $0x44, %xmm0, %xmm1
  testb %r11b, %r11b
  jnz     label9; j label10
block9:
  jmp     label11
block10:
  jmp     label14
block11:
  cmpq %r8, %rdx
  jnle    label12; j label13
block12:
  jmp     label14
block13:
  vmulpd (%rcx, %rdx, 8), %xmm1, %xmm2
  vmovupd %xmm2, (%rax, %rdx, 8)
  leaq 2(%rdx), %rdi
  vmulpd (%rcx, %rdi, 8), %xmm1, %xmm2
  vmovupd %xmm2, (%rax, %rdi, 8)
  leaq 4(%rdx), %rdx
  jmp     label11
block14:
  jmp     label15
block15:
  cmpq %rsi, %rdx
  jnl     label18; j label16
block16:
  vmulsd (%rcx, %rdx, 8), %xmm0, %xmm1
  vmovsd %xmm1, (%rax, %rdx, 8)
  jmp     label17
block17:
  leaq 1(%rdx), %rdx
  jmp     label15
block18:
  jmp     label19
block19:
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block5:
  jmp     label20
block7:
  jmp     label20
block20:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block21:
  movq %r9, 0x10(%rdx)
  movq %r8, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq %rax, 0x58(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
